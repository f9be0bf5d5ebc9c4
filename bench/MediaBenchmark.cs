using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure.Storage.Blobs;

namespace Natter.Benchmarks;

/// <summary>
/// Upload and download MB/s through MediaService versus the Azure SDK straight to the same Azurite, and MediaService's
/// peak resident memory (VmHWM) while the file streams through. MediaService runs as its own process, behind the real
/// local sidecar and redis-server, exactly as the AppHost runs it.
///   dotnet build -c Release MediaService Sidecar &amp;&amp; dotnet run -c Release --project bench -- media [--size-mb 1024] [--rounds 3]
/// </summary>
public static class MediaBenchmark
{
    // Development only: Azurite's published, well-known account key.
    private const string AzuriteKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    public static async Task<int> RunAsync(string[] args)
    {
        int Option(string name, int fallback) =>
            args.SkipWhile(a => a != name).Skip(1).Select(v => int.Parse(v, CultureInfo.InvariantCulture)).FirstOrDefault(fallback);
        var sizeMb = Option("--size-mb", 1024);
        var rounds = Option("--rounds", 3);
        var root = BenchmarksMarkdown.RepoRoot();
        var work = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), $"natter-media-bench-{Guid.NewGuid():N}")).FullName;
        var processes = new List<Process>();
        try
        {
            Console.WriteLine($"Preparing a {sizeMb} MB file...");
            var file = Path.Combine(work, "payload.bin");
            var sha256 = await WriteRandomFileAsync(file, sizeMb);
            var size = new FileInfo(file).Length;

            var azuritePort = FreePort();
            processes.Add(Start(Path.Combine(root, "tools/azurite/node_modules/.bin/azurite-blob"),
                ["--blobHost", "127.0.0.1", "--blobPort", $"{azuritePort}", "--location", Path.Combine(work, "azurite"), "--skipApiVersionCheck", "--loose", "--silent"]));
            await WaitForPortAsync(azuritePort);
            var blobs = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AzuriteKey};BlobEndpoint=http://127.0.0.1:{azuritePort}/devstoreaccount1;";

            var redisPort = FreePort();
            processes.Add(Start("redis-server", ["--port", $"{redisPort}", "--bind", "127.0.0.1", "--dir", work, "--save", "", "--appendonly", "no"]));
            await WaitForPortAsync(redisPort);
            var components = Directory.CreateDirectory(Path.Combine(work, "components")).FullName;
            foreach (var yaml in new[] { "statestore.yaml", "secretstore.yaml" })
            {
                File.Copy(Path.Combine(root, "components", yaml), Path.Combine(components, yaml));
            }
            var (daprHttp, daprGrpc, mediaPort) = (FreePort(), FreePort(), FreePort());
            // NATTER_SIDECAR_DLL: a sidecar built elsewhere (e.g. another branch's), else this repo's Release build.
            var sidecarDll = Environment.GetEnvironmentVariable("NATTER_SIDECAR_DLL") is { Length: > 0 } dll ? dll : Built(root, "Sidecar", "Natter.Sidecar.dll");
            processes.Add(Start("dotnet", [sidecarDll, "--app-id", "mediaservice", "--app-port", $"{mediaPort}",
                "--dapr-http-port", $"{daprHttp}", "--dapr-grpc-port", $"{daprGrpc}", "--resources-path", components, "--log-level", "warn"],
                new() { ["REDIS_HOST"] = $"127.0.0.1:{redisPort}" }));
            await WaitForPortAsync(daprGrpc);

            var signingKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48)); // development only: fresh per run
            var media = Start("dotnet", [Built(root, "MediaService", "Natter.MediaService.dll")], new()
            {
                ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{mediaPort}",
                ["ConnectionStrings__blobs"] = blobs,
                ["Auth__SigningKey"] = signingKey,
                ["Media__MaxUploadBytes"] = $"{size + 1}",
                ["DAPR_HTTP_ENDPOINT"] = $"http://127.0.0.1:{daprHttp}",
                ["DAPR_GRPC_ENDPOINT"] = $"http://127.0.0.1:{daprGrpc}",
                ["Logging__LogLevel__Default"] = "Warning",
            });
            processes.Add(media);
            await WaitForPortAsync(mediaPort);
            var idleKb = VmKb(media.Id, "VmRSS");

            // Direct: the Azure SDK with its default transfer options, to the same Azurite.
            var direct = new BlobServiceClient(blobs).GetBlobContainerClient("bench");
            await direct.CreateIfNotExistsAsync();
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{mediaPort}"), Timeout = TimeSpan.FromMinutes(30) };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", DevelopmentToken(signingKey, "bench-user"));

            // Anonymous (private) memory is what streaming costs; VmHWM also counts the mapped assembly files.
            using var sampling = new CancellationTokenSource();
            var peakAnonKb = 0L;
            var sampler = Task.Run(async () =>
            {
                while (!sampling.IsCancellationRequested)
                {
                    peakAnonKb = Math.Max(peakAnonKb, VmKb(media.Id, "RssAnon"));
                    await Task.Delay(20);
                }
            });

            // Rounds alternate direct and MediaService so that load from other processes hits both alike; medians are reported.
            var (directUp, directDown, mediaUp, mediaDown) = (new List<TimeSpan>(), new List<TimeSpan>(), new List<TimeSpan>(), new List<TimeSpan>());
            var attachmentId = "";
            var afterUploadKb = 0L;
            for (var round = 1; round <= rounds; round++)
            {
                Console.WriteLine($"Round {round}/{rounds}");
                directUp.Add(await TimeAsync(async () =>
                {
                    await using var source = File.OpenRead(file);
                    await direct.GetBlobClient("payload").UploadAsync(source, overwrite: true);
                }));
                mediaUp.Add(await TimeAsync(async () =>
                {
                    // Rounds after the first are deduplicated at the end, but stream, hash and stage every byte the same way.
                    await using var source = File.OpenRead(file);
                    using var body = new StreamContent(source, 1 << 20);
                    body.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
                    body.Headers.ContentLength = size;
                    using var request = new HttpRequestMessage(HttpMethod.Post, "/uploads") { Content = body };
                    request.Headers.Add("Upload-Sha256", sha256);
                    using var response = await http.SendAsync(request);
                    var text = await response.Content.ReadAsStringAsync();
                    if (!response.IsSuccessStatusCode)
                    {
                        throw new InvalidOperationException($"Upload through MediaService answered {(int)response.StatusCode}: {text}");
                    }
                    attachmentId = JsonDocument.Parse(text).RootElement.GetProperty("attachmentId").GetString()!;
                }));
                afterUploadKb = Math.Max(afterUploadKb, VmKb(media.Id, "VmHWM"));
                directDown.Add(await TimeAsync(async () => await direct.GetBlobClient("payload").DownloadToAsync(Stream.Null)));
                mediaDown.Add(await TimeAsync(async () =>
                {
                    using var response = await http.GetAsync($"/attachments/{attachmentId}/content", HttpCompletionOption.ResponseHeadersRead);
                    response.EnsureSuccessStatusCode();
                    await (await response.Content.ReadAsStreamAsync()).CopyToAsync(Stream.Null);
                }));
            }
            var peakKb = VmKb(media.Id, "VmHWM");
            await sampling.CancelAsync();
            await sampler;
            var fileKb = VmKb(media.Id, "RssFile");
            static TimeSpan Median(List<TimeSpan> times) => times.Order().ElementAt(times.Count / 2);
            var (directUpload, directDownload, mediaUpload, mediaDownload) = (Median(directUp), Median(directDown), Median(mediaUp), Median(mediaDown));

            double MBps(TimeSpan t) => size / 1e6 / t.TotalSeconds;
            var rows = new[]
            {
                ("Upload", MBps(directUpload), MBps(mediaUpload)),
                ("Download", MBps(directDownload), MBps(mediaDownload)),
            };
            var report = new StringBuilder();
            report.AppendLine("## Media: upload and download through MediaService vs direct to blob storage");
            report.AppendLine();
            report.AppendLine(CultureInfo.InvariantCulture, $"- Date: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
            report.AppendLine(CultureInfo.InvariantCulture, $"- Machine: {Environment.ProcessorCount} cores ({CpuModel()}), {TotalMemoryGiB():F0} GiB RAM, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}");
            report.AppendLine("- Command: `dotnet build -c Release MediaService Sidecar && dotnet run -c Release --project bench -- media" + (sizeMb == 1024 ? "" : $" --size-mb {sizeMb}") + (rounds == 3 ? "" : $" --rounds {rounds}") + "`");
            report.AppendLine(CultureInfo.InvariantCulture, $"- File: {sizeMb} MB of random bytes, {rounds} rounds alternating direct and MediaService, medians; load average {LoadAverage()} at the end (other work shares the 2 cores); Azurite 3.37 on loopback; MediaService as its own Release process behind the local sidecar and redis-server.");
            report.AppendLine();
            report.AppendLine("| Direction | Direct (Azure SDK) MB/s | Through MediaService MB/s | Ratio |");
            report.AppendLine("|---|---|---|---|");
            foreach (var (name, d, m) in rows)
            {
                report.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {d:F1} | {m:F1} | {m / d:F2} |");
            }
            report.AppendLine();
            report.AppendLine(CultureInfo.InvariantCulture, $"MediaService memory (its own process, /proc/<pid>/status): VmHWM {afterUploadKb / 1024.0:F0} MB after the upload, {peakKb / 1024.0:F0} MB after the download (aim: < 100 MB); {idleKb / 1024.0:F0} MB resident when idle.");
            report.AppendLine(CultureInfo.InvariantCulture, $"Of the resident set, {fileKb / 1024.0:F0} MB are mapped files (runtime and assembly images, shared and reclaimable); private memory (RssAnon, sampled every 20 ms) peaked at {peakAnonKb / 1024.0:F0} MB while the file streamed through.");
            if (peakKb >= 100 * 1024)
            {
                report.AppendLine();
                report.AppendLine("The < 100 MB aim is not met when measured as VmHWM: the idle process already has ~94 MB resident, ~76 MB of it mapped runtime and assembly images (ASP.NET Core, gRPC for Dapr, the Azure SDK, OpenTelemetry). What streaming adds is private memory bounded by the 4 MiB block buffers (at most 4 per upload, 3 per download, 8 kept in a dedicated pool), not by the file size.");
            }
            Console.WriteLine(report);
            BenchmarksMarkdown.WriteSection("media", report.ToString());
            return 0;
        }
        finally
        {
            foreach (var process in Enumerable.Reverse(processes))
            {
                await StopAsync(process);
            }
            Directory.Delete(work, recursive: true);
        }
    }

    private static async Task<string> WriteRandomFileAsync(string path, int sizeMb)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 20];
        await using var file = File.Create(path);
        for (var i = 0; i < sizeMb; i++)
        {
            Random.Shared.NextBytes(buffer);
            hash.AppendData(buffer);
            await file.WriteAsync(buffer);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static async Task<TimeSpan> TimeAsync(Func<Task> action)
    {
        var stopwatch = Stopwatch.StartNew();
        await action();
        return stopwatch.Elapsed;
    }

    /// <summary>A development token signed with this run's key (HS256), as the gateway's /dev/token would mint.</summary>
    private static string DevelopmentToken(string signingKey, string userId)
    {
        static string Encode(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var header = Encode(JsonSerializer.SerializeToUtf8Bytes(new { alg = "HS256", typ = "JWT" }));
        var payload = Encode(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["sub"] = userId, ["client_id"] = "bench", ["iss"] = "natter", ["aud"] = "natter", ["nbf"] = now - 60, ["exp"] = now + 7200,
        }));
        var signature = Encode(HMACSHA256.HashData(Encoding.UTF8.GetBytes(signingKey), Encoding.ASCII.GetBytes($"{header}.{payload}")));
        return $"{header}.{payload}.{signature}";
    }

    private static long VmKb(int pid, string field)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith(field + ":", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
    }

    private static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

    private static string CpuModel() =>
        File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown CPU";

    private static double TotalMemoryGiB() => VmKbFrom("/proc/meminfo", "MemTotal") / 1024.0 / 1024.0;

    private static long VmKbFrom(string file, string field) =>
        long.Parse(File.ReadLines(file).First(l => l.StartsWith(field + ":", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);

    private static string Built(string root, string project, string assembly)
    {
        var path = Path.Combine(root, project, "bin", "Release", "net10.0", assembly);
        return File.Exists(path) ? path : throw new InvalidOperationException($"{path} is missing: run 'dotnet build -c Release {project}' first.");
    }

    private static Process Start(string fileName, string[] arguments, Dictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(fileName) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        foreach (var (key, value) in environment ?? [])
        {
            info.Environment[key] = value;
        }
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, e) => { if (e.Data is { } line && line.Contains("fail", StringComparison.OrdinalIgnoreCase)) Console.Error.WriteLine(line); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is { } line) Console.Error.WriteLine(line); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>SIGTERM, then SIGKILL after 3 s: Azurite ignores SIGTERM.</summary>
    private static async Task StopAsync(Process process)
    {
        if (!process.HasExited)
        {
            using (var term = Process.Start("kill", ["-TERM", $"{process.Id}"]))
            {
                await term.WaitForExitAsync();
            }
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(3));
            try
            {
                await process.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }
        process.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task WaitForPortAsync(int port)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port, timeout.Token);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(100, timeout.Token);
            }
        }
    }
}
