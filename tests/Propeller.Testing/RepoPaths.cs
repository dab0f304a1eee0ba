namespace Propeller.Testing;

/// <summary>Locates the repository (the folder holding Propeller.slnx) and its examples.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string Examples => Path.Combine(Root, "examples");

    public static string Example(params string[] parts) => Path.Combine([Examples, .. parts]);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Propeller.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Propeller.slnx not found above " + AppContext.BaseDirectory);
    }
}
