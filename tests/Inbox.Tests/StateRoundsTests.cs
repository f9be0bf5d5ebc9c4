using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text;
using Dapr.Client;
using Natter.Contracts;
using Natter.State;

namespace Natter.Inbox.Tests;

/// <summary>
/// Concurrent callers' bulk reads and transactions share sidecar calls, and each caller still gets exactly its own
/// answer: its keys, and its transaction committed all or nothing, whatever the others in its round did.
/// </summary>
[Collection(InboxStoreCollection.Name)]
public sealed class StateRoundsTests(InboxStoreFixture store)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_burst_of_transactions_shares_calls_and_a_stale_one_fails_alone_writing_nothing()
    {
        using var cts = new CancellationTokenSource(Timeout);
        using var sizes = new RoundSizes();
        var prefix = $"rounds-test|{Guid.NewGuid():N}";
        var guarded = $"{prefix}|guarded";
        await store.Dapr.SaveStateAsync(StateKeys.StoreName, guarded, "v1", cancellationToken: cts.Token);
        var (_, etag) = await store.Dapr.GetStateAndETagAsync<string>(StateKeys.StoreName, guarded, cancellationToken: cts.Token);
        await store.Dapr.SaveStateAsync(StateKeys.StoreName, guarded, "v2", cancellationToken: cts.Token); // etag now stale

        // Added without a wait between them, so all but the first rounds' wait and go together.
        var good = Enumerable.Range(0, 20).Select(i => store.Rounds.CommitAsync([Put($"{prefix}|{i}", $"value {i}")], cts.Token)).ToList();
        var stale = store.Rounds.CommitAsync(
            [NatterState.Upsert(guarded, "v3", etag), Put($"{prefix}|stale-marker", "must not be written")], cts.Token);
        var more = Enumerable.Range(20, 20).Select(i => store.Rounds.CommitAsync([Put($"{prefix}|{i}", $"value {i}")], cts.Token)).ToList();

        await Task.WhenAll(good.Concat(more));
        var failure = await Assert.ThrowsAnyAsync<Exception>(() => stale);
        Assert.True(NatterState.IsConflict(failure), $"a stale etag is a conflict, not {failure}");
        Assert.Contains(sizes.Commits, size => size > 1);

        var read = await store.Dapr.ReadManyRawAsync([.. Enumerable.Range(0, 40).Select(i => $"{prefix}|{i}"), $"{prefix}|stale-marker", guarded], cts.Token);
        for (var i = 0; i < 40; i++)
        {
            Assert.Equal($"\"value {i}\"", read[$"{prefix}|{i}"].Json);
        }
        Assert.Null(read[$"{prefix}|stale-marker"].Json);
        Assert.Equal("\"v2\"", read[guarded].Json);
    }

    [Fact]
    public async Task Reads_in_one_round_each_get_their_own_keys_missing_ones_included()
    {
        using var cts = new CancellationTokenSource(Timeout);
        using var sizes = new RoundSizes();
        var prefix = $"rounds-test|{Guid.NewGuid():N}";
        await store.Dapr.SaveStateAsync(StateKeys.StoreName, $"{prefix}|shared", "shared", cancellationToken: cts.Token);
        for (var i = 0; i < 30; i++)
        {
            await store.Dapr.SaveStateAsync(StateKeys.StoreName, $"{prefix}|{i}", $"own {i}", cancellationToken: cts.Token);
        }

        var reads = Enumerable.Range(0, 30)
            .Select(i => store.Rounds.ReadManyRawAsync([$"{prefix}|{i}", $"{prefix}|shared", $"{prefix}|absent-{i}"], cts.Token)).ToList();
        var results = await Task.WhenAll(reads);

        Assert.Contains(sizes.Reads, size => size > 1);
        for (var i = 0; i < 30; i++)
        {
            Assert.Equal([$"{prefix}|{i}", $"{prefix}|absent-{i}", $"{prefix}|shared"], results[i].Keys.Order(StringComparer.Ordinal));
            Assert.Equal($"\"own {i}\"", results[i][$"{prefix}|{i}"].Json);
            Assert.Equal("\"shared\"", results[i][$"{prefix}|shared"].Json);
            Assert.Equal((null, null), results[i][$"{prefix}|absent-{i}"]);
        }
    }

    private static StateTransactionRequest Put(string key, string value) =>
        NatterState.Put(key, Encoding.UTF8.GetBytes($"\"{value}\""));

    /// <summary>The round sizes StateRounds records while the test runs.</summary>
    private sealed class RoundSizes : IDisposable
    {
        private readonly MeterListener _listener = new();

        public RoundSizes()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter == StateRounds.Meter)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<int>((_, size, tags, _) =>
            {
                foreach (var tag in tags)
                {
                    (Equals(tag.Value, "commit") ? Commits : Reads).Add(size);
                }
            });
            _listener.Start();
        }

        public ConcurrentBag<int> Commits { get; } = [];

        public ConcurrentBag<int> Reads { get; } = [];

        public void Dispose() => _listener.Dispose();
    }
}
