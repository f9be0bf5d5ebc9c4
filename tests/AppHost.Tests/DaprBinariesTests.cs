namespace Natter.AppHost.Tests;

/// <summary>Where the AppHost looks for daprd, placement and scheduler: Dapr:BinPath, then PATH, then ~/.dapr/bin.</summary>
public sealed class DaprBinariesTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("natter-dapr-lookup-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void A_slim_install_in_home_dapr_bin_is_found_without_PATH()
    {
        var bin = Folder("home/.dapr/bin", "daprd", "placement", "scheduler");

        var found = DaprBinaries.Find(binPath: null, pathVariable: Folder("usr/bin"), homeDirectory: Path.Combine(_root, "home"));

        Assert.Equal(new DaprBinaries(Path.Combine(bin, "daprd"), Path.Combine(bin, "placement"), Path.Combine(bin, "scheduler")), found);
    }

    [Fact]
    public void PATH_comes_before_home_dapr_bin()
    {
        Folder("home/.dapr/bin", "daprd", "placement", "scheduler");
        var onPath = Folder("opt/dapr", "daprd", "placement", "scheduler");

        var found = DaprBinaries.Find(null, string.Join(Path.PathSeparator, Folder("usr/bin"), onPath), Path.Combine(_root, "home"));

        Assert.Equal(Path.Combine(onPath, "daprd"), found!.Daprd);
        Assert.Equal(Path.Combine(onPath, "scheduler"), found.Scheduler);
    }

    [Fact]
    public void Dapr_BinPath_wins_over_PATH_and_home()
    {
        var onPath = Folder("opt/dapr", "daprd", "placement", "scheduler");
        var configured = Folder("custom", "daprd", "placement", "scheduler");

        var found = DaprBinaries.Find(configured, onPath, Path.Combine(_root, "home"));

        Assert.Equal(Path.Combine(configured, "placement"), found!.Placement);
    }

    [Fact]
    public void No_daprd_anywhere_means_the_local_sidecar()
    {
        Assert.Null(DaprBinaries.Find(null, Folder("usr/bin"), Path.Combine(_root, "home")));
    }

    [Fact]
    public void Daprd_without_placement_or_scheduler_is_a_clear_error_not_a_sidecar_that_cannot_host_actors()
    {
        var onPath = Folder("opt/dapr", "daprd");

        var error = Assert.Throws<InvalidOperationException>(() => DaprBinaries.Find(null, onPath, Path.Combine(_root, "home")));

        Assert.Contains("placement, scheduler", error.Message);
        Assert.Contains("dapr init --slim", error.Message);
    }

    [Fact]
    public void A_Dapr_BinPath_without_daprd_is_an_error_even_though_PATH_has_one()
    {
        var onPath = Folder("opt/dapr", "daprd", "placement", "scheduler");

        var error = Assert.Throws<InvalidOperationException>(() => DaprBinaries.Find(Folder("empty"), onPath, Path.Combine(_root, "home")));

        Assert.Contains("daprd, placement, scheduler", error.Message);
    }

    private string Folder(string relative, params string[] files)
    {
        var folder = Directory.CreateDirectory(Path.Combine(_root, relative)).FullName;
        foreach (var file in files)
        {
            File.WriteAllText(Path.Combine(folder, file), "");
        }
        return folder;
    }
}
