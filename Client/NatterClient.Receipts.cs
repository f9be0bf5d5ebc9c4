using System.Text.Json;
using Natter.Contracts;

namespace Natter.Client;

/// <summary>Receipts, message info, settings and the caught-up marker (docs/PROTOCOL.md §9).</summary>
public sealed partial class NatterClient
{
    private TaskCompletionSource _inboxDrained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _inboxDrainedCount;

    /// <summary>How many inboxDrained frames arrived, over all connections (one per connection).</summary>
    public int InboxDrainedCount => _inboxDrainedCount;

    /// <summary>
    /// Completes when the current connection's inboxDrained arrives: every item stored before it connected is in
    /// <see cref="NatterClient.Items"/> already, so history is complete (stop showing "connecting…"). A reconnect
    /// starts a new wait.
    /// </summary>
    public Task WaitInboxDrainedAsync(CancellationToken ct = default) => _inboxDrained.Task.WaitAsync(ct);

    /// <summary>Marks the chat read up to seq (and so delivered): its senders' devices get a read receipt.</summary>
    public async Task<MarkReadResult> MarkReadAsync(string chatId, long seq, CancellationToken ct = default) =>
        Read<MarkReadResult>(await RequestAsync(ReceiptFrameTypes.MarkRead, w =>
        {
            w.WriteString("chatId", chatId);
            w.WriteNumber("seq", seq);
        }, ct));

    /// <summary>Per other member, when the message reached them and when they read it. Only its sender may ask.</summary>
    public async Task<GetMessageInfoResult> GetMessageInfoAsync(string chatId, string messageId, CancellationToken ct = default) =>
        Read<GetMessageInfoResult>(await RequestAsync(ReceiptFrameTypes.GetMessageInfo, w =>
        {
            w.WriteString("chatId", chatId);
            w.WriteString("messageId", messageId);
        }, ct));

    private void OnConnected()
    {
        if (_inboxDrained.Task.IsCompleted)
        {
            _inboxDrained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    private void OnInboxDrained()
    {
        Interlocked.Increment(ref _inboxDrainedCount);
        _inboxDrained.TrySetResult();
    }
}
