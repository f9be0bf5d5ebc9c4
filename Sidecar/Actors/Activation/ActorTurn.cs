namespace Natter.Sidecar.Actors.Activation;

/// <summary>Holds an actor's turn until disposed.</summary>
public readonly struct ActorTurn(ActorActivation activation) : IDisposable
{
    public ActorActivation Activation { get; } = activation;

    public void Dispose()
    {
        Activation.Leave();
        Activation.Turn.Release();
    }
}
