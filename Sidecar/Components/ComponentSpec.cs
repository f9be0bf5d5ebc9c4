namespace Natter.Sidecar.Components;

/// <summary>One Dapr component file after secrets are resolved: what building blocks are built from.</summary>
public sealed record ComponentSpec(
    string Name,
    string Type,
    string Version,
    IReadOnlyDictionary<string, string> Metadata,
    IReadOnlyList<string> Scopes,
    string SourceFile)
{
    public string? Get(string key) => Metadata.TryGetValue(key, out var value) ? value : null;
}
