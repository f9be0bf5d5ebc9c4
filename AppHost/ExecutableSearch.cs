namespace Natter.AppHost;

/// <summary>Finding a local binary the way a shell does: the first folder that holds it wins.</summary>
public static class ExecutableSearch
{
    public static IEnumerable<string> PathFolders(string? pathVariable) =>
        (pathVariable ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);

    public static string? Locate(IEnumerable<string> folders, string executable) =>
        folders.Select(folder => Path.Combine(folder, executable)).FirstOrDefault(File.Exists);

    public static string? OnPath(string executable) =>
        Locate(PathFolders(Environment.GetEnvironmentVariable("PATH")), executable);
}
