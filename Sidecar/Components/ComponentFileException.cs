namespace Natter.Sidecar.Components;

/// <summary>A component file the sidecar cannot start with; the message names the file and the field.</summary>
public sealed class ComponentFileException(string file, string field, string problem)
    : Exception($"Component file '{file}': field '{field}': {problem}")
{
    public string File { get; } = file;
    public string Field { get; } = field;
}
