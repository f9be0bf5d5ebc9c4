namespace Natter.Sidecar.Bindings;

/// <summary>The loaded output bindings by component name (today only bindings.http).</summary>
public sealed class OutputBindings(IEnumerable<HttpOutputBinding> bindings)
{
    private readonly Dictionary<string, HttpOutputBinding> _byName = bindings.ToDictionary(b => b.Name, StringComparer.Ordinal);

    public IEnumerable<string> Names => _byName.Keys;

    /// <summary>Invokes the named binding; an unknown name is an error with daprd's wording, not an exception.</summary>
    public Task<BindingResult> InvokeAsync(string name, ReadOnlyMemory<byte> data, IReadOnlyDictionary<string, string> metadata, string operation, CancellationToken ct) =>
        _byName.TryGetValue(name, out var binding)
            ? binding.InvokeAsync(data, metadata, operation, ct)
            : Task.FromResult(new BindingResult([], new Dictionary<string, string>(), $"couldn't find output binding {name}"));

    /// <summary>daprd's message for every failed invocation (messages.ErrInvokeOutputBinding).</summary>
    public static string ErrorMessage(string name, string error) => $"error invoking output binding {name}: {error}";
}
