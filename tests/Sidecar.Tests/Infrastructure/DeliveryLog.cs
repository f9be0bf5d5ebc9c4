using System.Collections.Concurrent;
using System.Text.Json;

namespace Natter.Sidecar.Tests.Infrastructure;

/// <summary>What a test app's subscription handler received: the raw CloudEvent and its request headers.</summary>
public sealed class DeliveryLog
{
    private readonly ConcurrentQueue<Delivery> _deliveries = new();

    public IReadOnlyList<Delivery> All => [.. _deliveries];

    public int Count => _deliveries.Count;

    public void Add(Delivery delivery) => _deliveries.Enqueue(delivery);

    public int CountOf(string eventId) => _deliveries.Count(d => d.Id == eventId);
}

public sealed record Delivery(JsonElement CloudEvent, string? ContentType, string? TraceParent)
{
    public string Id => CloudEvent.GetProperty("id").GetString()!;

    public string? Field(string name) => CloudEvent.TryGetProperty(name, out var v) ? v.ToString() : null;

    public static async Task<Delivery> ReadAsync(Microsoft.AspNetCore.Http.HttpRequest request)
    {
        using var document = await JsonDocument.ParseAsync(request.Body);
        return new Delivery(document.RootElement.Clone(), request.ContentType, request.Headers["traceparent"].FirstOrDefault());
    }
}
