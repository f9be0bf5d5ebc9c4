using System.Threading.Channels;
using Natter.ConnectionGateway.Receipts;
using Natter.Inbox;

namespace Natter.ConnectionGateway.Connections;

/// <summary>
/// The acknowledgements of every socket on this gateway, committed together: whatever the sockets acked while the
/// previous commit ran goes in the next one, as one delivered report per chat for all its users (whose commit deletes
/// the acked entries of that chat's messages) and one delete transaction across devices for the rest (receipts, chat
/// updates). Nothing waits for a window: under light load each ack commits at once, under heavy load batches grow by
/// themselves.
/// A socket's ack counts as done only when the commit carrying it succeeded; a failed one fails every ack in it, and
/// those items are sent again.
/// </summary>
public sealed class Acknowledgements(DeviceInbox inbox, DeliveredReceipts receipts, ILogger<Acknowledgements> logger) : IHostedService
{
    // Deletes per transaction: far below the sidecar's message limit, and small enough that one slow commit holds few.
    private const int MaxEntriesPerCommit = 1_000;

    // Commits in flight at once: a slow chat service (the delivered reports) must not stall every ack on the gateway.
    private const int ConcurrentCommits = 4;

    private static readonly TimeSpan CommitTimeout = TimeSpan.FromSeconds(10);

    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private Task _loop = Task.CompletedTask;

    private sealed record Pending(DeviceAddress Device, IReadOnlyList<long> Entries, IReadOnlyList<SentMessage> Delivered, TaskCompletionSource Done);

    /// <summary>
    /// Reports the delivered messages, then deletes the acknowledged entries. Completes when both are committed (the
    /// report failing is logged, not fatal: marks name "up to", so a later ack covers it); throws if the delete failed.
    /// </summary>
    public Task AcknowledgeAsync(DeviceAddress device, IReadOnlyList<long> entries, IReadOnlyList<SentMessage> delivered)
    {
        var pending = new Pending(device, entries, delivered, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        // After shutdown began the queue is closed; the socket's last acks are then committed on their own.
        return _queue.Writer.TryWrite(pending) ? pending.Done.Task : CommitAsync([pending]);
    }

    // Not a BackgroundService: its loop never runs if the host is stopped while starting (the start token is then
    // cancelled), and the acks sockets queued meanwhile would wait forever. This loop starts at once and ends only when
    // StopAsync has closed the queue and it is empty: what the sockets acked before a graceful stop is still committed.
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _loop = Task.Run(RunAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        return _loop.WaitAsync(cancellationToken);
    }

    private async Task RunAsync()
    {
        using var slots = new SemaphoreSlim(ConcurrentCommits);
        var inFlight = new List<Task>();
        while (await _queue.Reader.WaitToReadAsync(CancellationToken.None))
        {
            await slots.WaitAsync(CancellationToken.None);
            var batch = new List<Pending>();
            var entries = 0;
            while (entries < MaxEntriesPerCommit && _queue.Reader.TryRead(out var pending))
            {
                batch.Add(pending);
                entries += pending.Entries.Count;
            }
            inFlight.RemoveAll(t => t.IsCompleted);
            inFlight.Add(Task.Run(async () =>
            {
                try
                {
                    await CommitAsync(batch);
                }
                finally
                {
                    slots.Release();
                }
            }, CancellationToken.None));
        }
        await Task.WhenAll(inFlight);
    }

    private async Task CommitAsync(IReadOnlyList<Pending> batch)
    {
        // The chats delete the entries of their messages with the reports, in one commit each; what is left (receipts,
        // chat updates, a report that failed) is deleted here. A crash before either re-sends the items, and their acks
        // report again (a repeat moves no mark, so nobody hears twice).
        var deleted = await receipts.ReportAsync(batch.SelectMany(p => p.Delivered.Select(m => (p.Device, m))));
        using var timeout = new CancellationTokenSource(CommitTimeout);
        try
        {
            await inbox.AcknowledgeManyAsync(
                [.. batch.Select(p => (p.Device, (IReadOnlyList<long>)[.. p.Entries.Where(n => !deleted.Contains((p.Device, n)))]))], timeout.Token);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            logger.LogWarning(e, "Deleting {Count} acknowledged entries of {Devices} devices failed; they will be sent again",
                batch.Sum(p => p.Entries.Count), batch.Count);
            foreach (var pending in batch)
            {
                pending.Done.TrySetException(e);
            }
            return;
        }
        foreach (var pending in batch)
        {
            pending.Done.TrySetResult();
        }
    }
}
