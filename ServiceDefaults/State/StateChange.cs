namespace Natter.State;

/// <summary>What an etag-guarded update (<see cref="NatterState.UpdateAsync{T}"/>) decides after reading the current value.</summary>
public readonly record struct StateChange<T>(StateChangeKind Kind, T? Value)
{
    public static StateChange<T> Keep => new(StateChangeKind.Keep, default);
    public static StateChange<T> Delete => new(StateChangeKind.Delete, default);
    public static StateChange<T> Save(T value) => new(StateChangeKind.Save, value);
}

public enum StateChangeKind { Keep, Save, Delete }
