namespace Natter.AppHost;

/// <summary>Where the repository and this run's data live, so no resource depends on the working directory.</summary>
public sealed record NatterPaths(string RepoRoot, string RunDirectory)
{
    public static NatterPaths From(IDistributedApplicationBuilder builder)
    {
        var repoRoot = Path.GetFullPath(Path.Combine(builder.AppHostDirectory, ".."));
        // Tests pass a fresh folder per run; a developer's run keeps its data across restarts in .run/.
        var runDirectory = builder.Configuration["Natter:RunDirectory"] is { Length: > 0 } configured
            ? Path.GetFullPath(configured)
            : Path.Combine(repoRoot, ".run");
        Directory.CreateDirectory(runDirectory);
        return new NatterPaths(repoRoot, runDirectory);
    }

    public string DataFolder(string name)
    {
        var folder = Path.Combine(RunDirectory, name);
        Directory.CreateDirectory(folder);
        return folder;
    }
}
