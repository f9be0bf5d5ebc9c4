using System.Collections.Concurrent;
using System.Threading.Channels;
using Natter.Sidecar.Components;
using Natter.Sidecar.Hosting;
using Natter.Sidecar.Redis;
using StackExchange.Redis;

namespace Natter.Sidecar.PubSub;

/// <summary>
/// pubsub.redis on Redis Streams, with Dapr's layout: stream key = topic, consumer group = consumerID (default the
/// app id, so instances of one app compete), consumer = this sidecar's instance id, one "data" field per entry.
/// An entry is acknowledged only after the app answered SUCCESS or DROP; anything pending longer than
/// processingTimeout (an app that failed, a sidecar that crashed) is claimed again every redeliverInterval.
/// </summary>
public sealed class RedisStreamsPubSub : IPubSub
{
    private const string DataField = "data";
    private static readonly TimeSpan ReadBlock = TimeSpan.FromSeconds(1);

    private readonly string _host;
    private readonly string? _password;
    private readonly RedisConnections _connections;
    private readonly IDatabase _db;
    private readonly string _group;
    private readonly string _consumer;
    private readonly TimeSpan _processingTimeout;
    private readonly TimeSpan _redeliverInterval;
    private readonly int? _maxLen;
    private readonly int _concurrency;
    private readonly ILogger _logger;

    public RedisStreamsPubSub(ComponentSpec spec, RedisConnections connections, SidecarOptions options, ILogger<RedisStreamsPubSub> logger)
    {
        Name = spec.Name;
        _host = spec.Required("redisHost");
        _password = spec.Get("redisPassword");
        _connections = connections;
        _db = connections.Shared(_host, _password).GetDatabase();
        _group = spec.Get("consumerID") is { Length: > 0 } consumerId ? consumerId : options.AppId;
        _consumer = options.InstanceId;
        // Dapr's defaults for pubsub.redis.
        _processingTimeout = spec.GetDuration("processingTimeout", TimeSpan.FromSeconds(60));
        _redeliverInterval = spec.GetDuration("redeliverInterval", TimeSpan.FromSeconds(15));
        _maxLen = spec.GetInt("maxLenApprox", 0) is > 0 and var max ? max : null;
        _concurrency = Math.Max(1, spec.GetInt("concurrency", 10));
        _logger = logger;
    }

    public string Name { get; }

    public Task PublishAsync(string topic, ReadOnlyMemory<byte> envelope, CancellationToken ct) =>
        _db.StreamAddAsync(topic, DataField, envelope, maxLength: _maxLen, useApproximateMaxLength: true);

    public async Task PublishBulkAsync(string topic, IReadOnlyList<ReadOnlyMemory<byte>> envelopes, CancellationToken ct)
    {
        // Pipelined: every XADD is written before the first reply is awaited.
        var adds = new Task[envelopes.Count];
        for (var i = 0; i < envelopes.Count; i++)
        {
            adds[i] = _db.StreamAddAsync(topic, DataField, envelopes[i], maxLength: _maxLen, useApproximateMaxLength: true);
        }
        await Task.WhenAll(adds);
    }

    public Task RunAsync(IReadOnlyList<TopicHandler> handlers, CancellationToken stoppingToken) =>
        Task.WhenAll(handlers.Select(h => Task.Run(() => RunTopicAsync(h, stoppingToken), stoppingToken)));

    private async Task RunTopicAsync(TopicHandler handler, CancellationToken ct)
    {
        await EnsureGroupAsync(handler.Topic, ct);
        var work = Channel.CreateBounded<(RedisValue Id, RedisValue Data)>(new BoundedChannelOptions(_concurrency) { SingleWriter = false });
        var inFlight = new ConcurrentDictionary<string, bool>();
        var workers = Enumerable.Range(0, _concurrency).Select(_ => Task.Run(() => DeliverLoopAsync(handler, work.Reader, inFlight, ct), ct)).ToList();
        var reclaim = _redeliverInterval > TimeSpan.Zero ? Task.Run(() => ReclaimLoopAsync(handler.Topic, work.Writer, inFlight, ct), ct) : Task.CompletedTask;
        try
        {
            await ReadLoopAsync(handler.Topic, work.Writer, inFlight, ct);
        }
        finally
        {
            work.Writer.TryComplete();
            await Task.WhenAll(workers.Append(reclaim)).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    private async Task EnsureGroupAsync(string topic, CancellationToken ct)
    {
        while (true)
        {
            try
            {
                // From "0", as Dapr does: a new group also receives what was published before it existed.
                await _db.StreamCreateConsumerGroupAsync(topic, _group, "0", createStream: true);
                return;
            }
            catch (RedisServerException e) when (e.Message.Contains("BUSYGROUP", StringComparison.Ordinal))
            {
                return;
            }
            catch (RedisConnectionException e)
            {
                _logger.LogWarning("pubsub {Name}: cannot create consumer group {Group} on {Topic} yet: {Error}", Name, _group, topic, e.Message);
                await Task.Delay(TimeSpan.FromSeconds(1), ct);
            }
        }
    }

    private async Task ReadLoopAsync(string topic, ChannelWriter<(RedisValue, RedisValue)> work, ConcurrentDictionary<string, bool> inFlight, CancellationToken ct)
    {
        // XREADGROUP BLOCK holds its connection for up to a second, so it gets one of its own.
        var reader = _connections.Dedicated(_host, _password, $"xreadgroup-{topic}").GetDatabase();
        object[] args = ["GROUP", _group, _consumer, "COUNT", _concurrency, "BLOCK", (long)ReadBlock.TotalMilliseconds, "STREAMS", topic, ">"];
        while (!ct.IsCancellationRequested)
        {
            RedisResult result;
            try
            {
                result = await reader.ExecuteAsync("XREADGROUP", args).WaitAsync(ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (RedisServerException e) when (e.Message.Contains("NOGROUP", StringComparison.Ordinal))
            {
                // The stream was deleted under us; recreate it and the group, as a restarted sidecar would.
                await EnsureGroupAsync(topic, ct);
                continue;
            }
            catch (Exception e)
            {
                _logger.LogWarning("pubsub {Name}: reading {Topic} failed: {Error}", Name, topic, e.Message);
                await Task.Delay(TimeSpan.FromSeconds(1), ct);
                continue;
            }
            if (result.IsNull)
            {
                continue;
            }
            foreach (var stream in (RedisResult[])result!)
            {
                foreach (var entry in (RedisResult[])((RedisResult[])stream!)[1]!)
                {
                    var parts = (RedisResult[])entry!;
                    var id = (RedisValue)parts[0];
                    inFlight[(string)id!] = true;
                    await work.WriteAsync((id, DataOf((RedisResult[]?)parts[1])), ct);
                }
            }
        }
    }

    private async Task ReclaimLoopAsync(string topic, ChannelWriter<(RedisValue, RedisValue)> work, ConcurrentDictionary<string, bool> inFlight, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(_redeliverInterval);
        while (await timer.WaitForNextTickAsync(ct))
        {
            try
            {
                RedisValue start = "0-0";
                do
                {
                    // XAUTOCLAIM takes over entries idle longer than processingTimeout, from any consumer of the group,
                    // including a crashed sidecar's: that is what makes delivery at-least-once.
                    var claimed = await _db.StreamAutoClaimAsync(topic, _group, _consumer, (long)_processingTimeout.TotalMilliseconds, start, count: 100);
                    foreach (var entry in claimed.ClaimedEntries)
                    {
                        // An entry this sidecar is still delivering is not handed out twice.
                        if (inFlight.TryAdd((string)entry.Id!, true))
                        {
                            await work.WriteAsync((entry.Id, entry[DataField]), ct);
                        }
                    }
                    if (claimed.DeletedIds.Length > 0)
                    {
                        // Trimmed away (maxLenApprox) while pending: nothing left to deliver.
                        await _db.StreamAcknowledgeAsync(topic, _group, claimed.DeletedIds);
                    }
                    start = claimed.NextStartId;
                }
                while (start != "0-0" && !ct.IsCancellationRequested);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Keep reclaiming: a stopped reclaim loop would silently end at-least-once delivery.
                _logger.LogWarning("pubsub {Name}: reclaiming {Topic} failed: {Error}", Name, topic, e.Message);
            }
        }
    }

    private async Task DeliverLoopAsync(TopicHandler handler, ChannelReader<(RedisValue Id, RedisValue Data)> work, ConcurrentDictionary<string, bool> inFlight, CancellationToken ct)
    {
        await foreach (var (id, data) in work.ReadAllAsync(ct))
        {
            try
            {
                var outcome = data.IsNull ? DeliveryOutcome.Drop : await handler.Deliver((ReadOnlyMemory<byte>)data, ct);
                if (outcome != DeliveryOutcome.Retry)
                {
                    await _db.StreamAcknowledgeAsync(handler.Topic, _group, id);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // Left pending: the reclaim loop redelivers it after processingTimeout.
                _logger.LogWarning(e, "pubsub {Name}: delivering {Id} on {Topic} failed", Name, (string?)id, handler.Topic);
            }
            finally
            {
                inFlight.TryRemove((string)id!, out _);
            }
        }
    }

    private static RedisValue DataOf(RedisResult[]? fields)
    {
        if (fields is null)
        {
            return RedisValue.Null;
        }
        for (var i = 0; i + 1 < fields.Length; i += 2)
        {
            if ((string?)fields[i] == DataField)
            {
                return (RedisValue)fields[i + 1];
            }
        }
        return RedisValue.Null;
    }
}
