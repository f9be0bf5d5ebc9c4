namespace Natter.Sidecar.Actors.Activation;

/// <summary>One actor: its type and id, as in /actors/{type}/{id}.</summary>
public readonly record struct ActorKey(string Type, string Id)
{
    public override string ToString() => $"{Type}/{Id}";
}
