namespace Natter.TestSupport;

public static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>The configuration these tests were built in, so they run the services built alongside them.</summary>
    public static string Configuration { get; } =
        AppContext.BaseDirectory.Contains("/bin/Release/", StringComparison.Ordinal) ? "Release" : "Debug";

    /// <summary>A project's built assembly, e.g. ("Sidecar", "Natter.Sidecar"): {root}/{project}/bin/{configuration}/net10.0/.</summary>
    public static string BuiltAssembly(string project, string assemblyName) =>
        Path.Combine(Root, project, "bin", Configuration, "net10.0", $"{assemblyName}.dll");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Aspire.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("The repository root (with Aspire.sln) was not found above the test binaries.");
    }
}
