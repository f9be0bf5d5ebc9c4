namespace Natter.AppHost;

/// <summary>
/// Where the real Dapr binaries are: daprd (the sidecar), placement (actor placement) and scheduler (reminders and
/// jobs, Dapr 1.14 on). `dapr init --slim` installs all three in ~/.dapr/bin, which it does not put on PATH.
/// </summary>
public sealed record DaprBinaries(string Daprd, string Placement, string Scheduler)
{
    public const string BinPathSetting = "Dapr:BinPath";

    /// <summary>
    /// Dapr:BinPath when set (every binary must be there), else each binary from PATH, else from ~/.dapr/bin.
    /// Null when daprd is found nowhere; an error naming what is missing when only some of the three are found.
    /// </summary>
    public static DaprBinaries? Find(string? binPath, string? pathVariable, string homeDirectory)
    {
        string[] folders = binPath is { Length: > 0 }
            ? [Path.GetFullPath(binPath)]
            : [.. ExecutableSearch.PathFolders(pathVariable), Path.Combine(homeDirectory, ".dapr", "bin")];
        string? Locate(string name) => ExecutableSearch.Locate(folders, name);

        var daprd = Locate("daprd");
        var placement = Locate("placement");
        var scheduler = Locate("scheduler");
        if (daprd is null && binPath is not { Length: > 0 })
        {
            return null;
        }
        var missing = new[] { ("daprd", daprd), ("placement", placement), ("scheduler", scheduler) }
            .Where(b => b.Item2 is null).Select(b => b.Item1).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidOperationException(
                $"Dapr binaries not found: {string.Join(", ", missing)} (looked in {string.Join(", ", folders)}). " +
                "Actors need placement and reminders need scheduler next to daprd: run `dapr init --slim`, or point Dapr:BinPath at a folder holding all three.");
        }
        return new DaprBinaries(daprd!, placement!, scheduler!);
    }

    public static DaprBinaries? Find(IDistributedApplicationBuilder builder) =>
        Find(builder.Configuration[BinPathSetting], Environment.GetEnvironmentVariable("PATH"),
            Environment.GetFolderPath(Environment.SpecialFolder.UserProfile));
}
