namespace Natter.MediaService.Tests.Infrastructure;

/// <summary>
/// A real redis-server and a real Dapr sidecar serving the "statestore" component. This branch does not have a sidecar
/// with a state store yet (it comes from the sidecar-core branch), so until then the state-dependent tests are skipped.
/// </summary>
public sealed class StateSidecar : IAsyncDisposable
{
    public static string? UnavailableBecause => "no sidecar with a state store on this branch yet (sidecar-core)";

    public string GrpcEndpoint { get; private init; } = "";
    public string HttpEndpoint { get; private init; } = "";

    public static Task<StateSidecar?> StartIfAvailableAsync() => Task.FromResult<StateSidecar?>(null);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary>A test that needs the state store: skipped, with the reason, when no sidecar can serve one.</summary>
public sealed class StateFactAttribute : FactAttribute
{
    public StateFactAttribute()
    {
        if (StateSidecar.UnavailableBecause is { } reason)
        {
            Skip = reason;
        }
    }
}
