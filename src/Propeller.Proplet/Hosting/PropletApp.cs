using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Propeller.Proplet.Configuration;

namespace Propeller.Proplet.Hosting;

/// <summary>Builds a self-contained proplet host, for the <c>propeller proplet</c> and <c>dev</c> commands and for tests.</summary>
internal static class PropletApp
{
    /// <summary>
    /// A host running one proplet. It reads no configuration of its own: everything comes from
    /// <paramref name="options"/>. Logs go to JSON lines on the console at the options' level unless
    /// <paramref name="logging"/> sets up the providers.
    /// </summary>
    public static IHost Build(PropletOptions options, Action<ILoggingBuilder>? logging = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Logging.SetMinimumLevel(options.LogLevel);
        if (logging is null)
        {
            builder.Logging.AddJsonConsole();
        }
        else
        {
            logging(builder.Logging);
        }

        builder.Services.AddProplet(options);
        return builder.Build();
    }
}
