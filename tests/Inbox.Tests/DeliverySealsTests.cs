using System.Text.Json;
using Microsoft.Extensions.Options;
using Natter.Contracts;

namespace Natter.Inbox.Tests;

public sealed class DeliverySealsTests
{
    private static readonly DeviceAddress BobPhone = new("bob", "phone");

    private static DeliverySeals WithKey(string? key) => new(Options.Create(new DeliverySealOptions { SealKey = key }));

    private static readonly DeliverySeals Seals = WithKey("development-only-delivery-seal-key-0123456789");

    private static InboxEntry Message(string text) => new(InboxEntryKinds.NewMessage,
        new MessagePayload("chat-1", "m1", 4, "alice", text, [new AttachmentInfo("blob-1", 123, "image/png", "c2hh", "/attachments/blob-1/thumbnail")], 1_700_000_000_000,
            new ReplyQuote("m0", "alice", "earlier")), null, 1_700_000_000_000, "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");

    private static Delivery Sealed(DeviceAddress device, long n, InboxEntry entry) =>
        new(device.UserId, device.ClientId, n, entry, Seals.Seal(device, n, DeliverySeals.Digest(entry)));

    [Fact]
    public void A_sealed_delivery_verifies_after_the_json_round_trip_it_makes_through_pub_sub()
    {
        var delivery = Sealed(BobPhone, 41, Message("hi \"there\" ✓ 👍"));

        var received = JsonSerializer.Deserialize<DeliveryBatch>(
            JsonSerializer.SerializeToUtf8Bytes(new DeliveryBatch([delivery]), NatterJson.Options), NatterJson.Options)!.Deliveries[0];

        Assert.True(Seals.IsSealed(received));
    }

    [Fact]
    public void A_seal_covers_the_device_the_number_and_the_entry()
    {
        var delivery = Sealed(BobPhone, 41, Message("hi"));

        Assert.True(Seals.IsSealed(delivery));
        Assert.False(Seals.IsSealed(delivery with { N = 1_000_000 }));
        Assert.False(Seals.IsSealed(delivery with { ClientId = "laptop" }));
        Assert.False(Seals.IsSealed(delivery with { UserId = "mallory" }));
        Assert.False(Seals.IsSealed(delivery with { Entry = Message("forged") }));
        // The same bytes split differently between user and client id are another device.
        Assert.False(Seals.IsSealed(Sealed(new DeviceAddress("bo", "bphone"), 41, Message("hi")) with { UserId = "bob", ClientId = "phone" }));
    }

    [Fact]
    public void Only_the_shared_key_seals()
    {
        var delivery = Sealed(BobPhone, 41, Message("hi"));
        var otherKey = WithKey("another-development-delivery-seal-key-987654");

        Assert.False(otherKey.IsSealed(delivery));
        Assert.False(Seals.IsSealed(delivery with { Seal = null }));
        Assert.False(Seals.IsSealed(delivery with { Seal = "not base64 at all!" }));
        Assert.False(Seals.IsSealed(delivery with { Seal = Convert.ToBase64String(new byte[16]) }));
    }

    [Fact]
    public void Without_a_key_nothing_is_sealed_and_nothing_is_trusted()
    {
        var none = WithKey(null);

        Assert.False(none.Enabled);
        Assert.Null(none.Seal(BobPhone, 1, DeliverySeals.Digest(Message("hi"))));
        Assert.False(none.IsSealed(Sealed(BobPhone, 1, Message("hi"))));
    }

    [Fact]
    public void A_short_key_is_refused_at_start()
    {
        var refused = Assert.Throws<InvalidOperationException>(() => WithKey("short"));

        Assert.Contains("Deliveries:SealKey", refused.Message, StringComparison.Ordinal);
    }
}
