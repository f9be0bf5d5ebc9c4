using Natter.TestSupport;

namespace Natter.MediaService.Tests.Infrastructure;

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

public sealed class StateTheoryAttribute : TheoryAttribute
{
    public StateTheoryAttribute()
    {
        if (StateSidecar.UnavailableBecause is { } reason)
        {
            Skip = reason;
        }
    }
}
