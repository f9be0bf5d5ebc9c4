using System.Diagnostics;
using Npgsql;

namespace Natter.Sidecar.Tests.Infrastructure;

/// <summary>
/// A throwaway PostgreSQL cluster: initdb into a temp folder, then postgres on a random loopback port as a child
/// process, killed when the fixture is disposed. Never a system service.
/// </summary>
/// <remarks>
/// initdb and postgres refuse to run as root, and these machines run everything as root: then both run as the
/// "postgres" user that Debian's package creates (setpriv execs in place, so the process we kill is postgres itself),
/// on a folder it owns.
/// </remarks>
public sealed class PostgresServer : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("natter-postgres-").FullName;
    private Process? _process;

    public int Port { get; } = FreePorts.Next();

    public const string User = "natter";

    /// <summary>The connection string as a Dapr component's connectionString takes it (libpq keyword/value).</summary>
    public string DaprConnectionString => $"host=127.0.0.1 port={Port} user={User} database=postgres";

    /// <summary>A pool for tests that look at the rows directly.</summary>
    public NpgsqlDataSource DataSource { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var bin = BinDirectory();
        var data = Path.Combine(_dir, "data");
        if (Environment.IsPrivilegedProcess)
        {
            await RunToEndAsync("chown", ["-R", "postgres:postgres", _dir]);
        }
        await RunToEndAsync(Path.Combine(bin, "initdb"), ["-D", data, "-U", User, "-A", "trust", "-E", "UTF8", "--no-sync"], asPostgres: true);
        // Durability settings off: a test cluster lives for one test class.
        _process = Process.Start(Start(Path.Combine(bin, "postgres"),
            ["-D", data, "-k", _dir, "-p", Port.ToString(), "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"],
            asPostgres: true)) ?? throw new InvalidOperationException("postgres did not start");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        DataSource = NpgsqlDataSource.Create($"Host=127.0.0.1;Port={Port};Username={User};Database=postgres;Timeout=2");
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            try
            {
                await using var connection = await DataSource.OpenConnectionAsync(cts.Token);
                return;
            }
            catch (NpgsqlException) when (!cts.IsCancellationRequested && !_process.HasExited)
            {
                await Task.Delay(50, cts.Token);
            }
        }
    }

    /// <summary>Runs one SQL statement and returns the first column of the first row.</summary>
    public async Task<object?> ScalarAsync(string sql, params object[] parameters)
    {
        await using var command = DataSource.CreateCommand(sql);
        foreach (var p in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = p });
        }
        return await command.ExecuteScalarAsync();
    }

    public async Task DisposeAsync()
    {
        if (DataSource is not null)
        {
            await DataSource.DisposeAsync();
        }
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process?.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    /// <summary>Debian's binaries are not on PATH: /usr/lib/postgresql/{version}/bin, newest version first.</summary>
    public static string BinDirectory() =>
        (Directory.Exists("/usr/lib/postgresql") ? Directory.GetDirectories("/usr/lib/postgresql") : [])
            .Select(d => Path.Combine(d, "bin"))
            .Where(d => File.Exists(Path.Combine(d, "postgres")))
            .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var v) ? v : 0)
            .FirstOrDefault()
        ?? throw new InvalidOperationException("PostgreSQL is not installed (apt-get install postgresql; ./natter test installs it)");

    private ProcessStartInfo Start(string file, string[] args, bool asPostgres)
    {
        var info = asPostgres && Environment.IsPrivilegedProcess
            ? new ProcessStartInfo("setpriv", ["--reuid=postgres", "--regid=postgres", "--init-groups", "--", file, .. args])
            : new ProcessStartInfo(file, args);
        info.WorkingDirectory = _dir;
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        return info;
    }

    private async Task RunToEndAsync(string file, string[] args, bool asPostgres = false)
    {
        using var process = Process.Start(Start(file, args, asPostgres)) ?? throw new InvalidOperationException($"{file} did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} exited with {process.ExitCode}: {await output}{await error}");
        }
    }
}
