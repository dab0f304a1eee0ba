using Propeller.Contracts.Messages;

namespace Propeller.Proplet.Tasks;

/// <summary>
/// Step 2 of the start pipeline (proplet-reference §2.1). The texts are the original's; a start that fails here
/// publishes nothing.
/// </summary>
internal static class StartRequestValidator
{
    /// <summary>The reason <paramref name="start"/> is invalid, or null when it is valid.</summary>
    public static string? Validate(StartMessage start)
    {
        ArgumentNullException.ThrowIfNull(start);
        if (string.IsNullOrEmpty(start.Id))
        {
            return "id is required";
        }

        if (string.IsNullOrEmpty(start.Name))
        {
            return "name is required";
        }

        if (start.Encrypted)
        {
            if (string.IsNullOrEmpty(start.ImageUrl))
            {
                return "image_url is required for encrypted workloads";
            }

            return string.IsNullOrEmpty(start.File) ? null : "encrypted workloads should only use image_url, not file";
        }

        return string.IsNullOrEmpty(start.File) && string.IsNullOrEmpty(start.ImageUrl)
            ? "either file or image_url must be provided"
            : null;
    }
}
