namespace Natter.ConnectionGateway.Connections;

public sealed partial class ClientConnection
{
    /// <summary>
    /// A live-only frame (typing): queued behind what is already queued, outside the inbox cursor, so it has no
    /// deliveryId and is never re-sent. Dropped once the connection is closing.
    /// </summary>
    public void PushLive(byte[] frame)
    {
        if (!_closing.IsCancellationRequested)
        {
            Enqueue(frame);
        }
    }
}
