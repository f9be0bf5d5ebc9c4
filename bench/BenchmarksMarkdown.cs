using System.Text;
using System.Text.RegularExpressions;

namespace Natter.Benchmarks;

/// <summary>Writes one benchmark's section into BENCHMARKS.md (repo root), replacing that section's previous run only.</summary>
public static partial class BenchmarksMarkdown
{
    public static string Machine()
    {
        var cpu = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
            : null;
        return $"{Environment.ProcessorCount} cores (nproc), {cpu ?? "unknown CPU"}, {Environment.OSVersion}, .NET {Environment.Version}";
    }

    public static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Aspire.sln")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException("Run from inside the repository (Aspire.sln not found above the binary).");
    }

    public static void WriteSection(string name, string markdown)
    {
        var path = Path.Combine(RepoRoot(), "BENCHMARKS.md");
        var start = $"<!-- {name}:start -->";
        var end = $"<!-- {name}:end -->";
        var section = $"{start}\n{markdown.TrimEnd()}\n{end}";
        var existing = File.Exists(path) ? File.ReadAllText(path) : "# Benchmarks\n\nEach section is written by `dotnet run -c Release --project bench -- <name>`.\n";
        var pattern = new Regex(Regex.Escape(start) + ".*?" + Regex.Escape(end), RegexOptions.Singleline);
        var updated = pattern.IsMatch(existing) ? pattern.Replace(existing, section.Replace("$", "$$")) : existing.TrimEnd() + "\n\n" + section + "\n";
        File.WriteAllText(path, updated, new UTF8Encoding(false));
        Console.WriteLine($"Wrote section '{name}' to {path}");
    }
}
