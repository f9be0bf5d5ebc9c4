using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Natter.Contracts;

namespace Natter.Inbox;

/// <summary>
/// Deliveries:SealKey, shared by the chat services and the gateways (a Kubernetes Secret, or a generated AppHost
/// parameter locally). Unset, deliveries go unsealed and every gateway reads the inbox head before it trusts one.
/// </summary>
public sealed class DeliverySealOptions
{
    public const string Section = "Deliveries";

    /// <summary>Shorter keys are refused at start: the seal is only as strong as the key.</summary>
    public const int MinKeyLength = 32;

    public string? SealKey { get; set; }
}

/// <summary>
/// A seal is the chat service's word that a delivery's entry was committed at its number: an HMAC-SHA256, under the
/// shared key, of the device, the number and a digest of the entry. A gateway that verifies it may take N + 1 as a
/// lower bound of the device's inbox head, and the entry as stored, without reading the store. Anything else that
/// reaches the delivery route (a forged or replayed-and-altered event, a sidecar with a leaked app token) cannot seal,
/// so its delivery is only a hint to read the inbox. A replay of a real sealed delivery repeats a true fact.
/// </summary>
public sealed class DeliverySeals
{
    // Binds the seal to this use of the key, should the key ever be shared with another.
    private static readonly byte[] Context = "natter.delivery.v1"u8.ToArray();

    private readonly byte[]? _key;

    public DeliverySeals(IOptions<DeliverySealOptions> options)
    {
        var key = options.Value.SealKey;
        if (string.IsNullOrEmpty(key))
        {
            return;
        }
        if (key.Length < DeliverySealOptions.MinKeyLength)
        {
            throw new InvalidOperationException(
                $"{DeliverySealOptions.Section}:SealKey has {key.Length} characters; it needs at least {DeliverySealOptions.MinKeyLength}");
        }
        _key = Encoding.UTF8.GetBytes(key);
    }

    /// <summary>Whether this process has the key: it seals what it publishes, and trusts only what is sealed.</summary>
    public bool Enabled => _key is not null;

    /// <summary>The entry's digest, the part of a seal common to every device it goes to: computed once per entry.</summary>
    public static byte[] Digest(InboxEntry entry) => SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(entry, NatterJson.Options));

    /// <summary>The seal of entry n of the device, or null without a key.</summary>
    public string? Seal(DeviceAddress device, long n, byte[] entryDigest) =>
        _key is null ? null : Convert.ToBase64String(Mac(_key, device, n, entryDigest));

    /// <summary>True only for a delivery sealed under this process's key, for exactly its device, number and entry.</summary>
    public bool IsSealed(Delivery delivery)
    {
        if (_key is null || delivery.Seal is not { Length: > 0 } seal)
        {
            return false;
        }
        Span<byte> presented = stackalloc byte[HMACSHA256.HashSizeInBytes];
        if (!Convert.TryFromBase64String(seal, presented, out var length) || length != presented.Length)
        {
            return false;
        }
        var expected = Mac(_key, new DeviceAddress(delivery.UserId, delivery.ClientId), delivery.N, Digest(delivery.Entry));
        return CryptographicOperations.FixedTimeEquals(presented, expected);
    }

    // Every field length-prefixed, so no two (user, client) splits of the same bytes share a seal.
    private static byte[] Mac(byte[] key, DeviceAddress device, long n, byte[] entryDigest)
    {
        var user = Encoding.UTF8.GetBytes(device.UserId);
        var client = Encoding.UTF8.GetBytes(device.ClientId);
        var message = new byte[Context.Length + 4 + user.Length + 4 + client.Length + 8 + entryDigest.Length];
        var span = message.AsSpan();
        Context.CopyTo(span);
        span = span[Context.Length..];
        BinaryPrimitives.WriteInt32BigEndian(span, user.Length);
        user.CopyTo(span[4..]);
        span = span[(4 + user.Length)..];
        BinaryPrimitives.WriteInt32BigEndian(span, client.Length);
        client.CopyTo(span[4..]);
        span = span[(4 + client.Length)..];
        BinaryPrimitives.WriteInt64BigEndian(span, n);
        entryDigest.CopyTo(span[8..]);
        return HMACSHA256.HashData(key, message);
    }
}
