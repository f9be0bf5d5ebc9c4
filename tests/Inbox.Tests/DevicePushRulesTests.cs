using Natter.Contracts;

namespace Natter.Inbox.Tests;

/// <summary>The push token rides on the device record: set and cleared only on an active device, gone with it.</summary>
public sealed class DevicePushRulesTests
{
    [Fact]
    public void A_token_is_set_replaced_and_cleared_only_when_it_changes()
    {
        var registry = new DeviceRegistry([new("a", 1, 1), new("b", 1, 1)]);

        var set = registry.SetPushToken("a", "token-one")!;
        Assert.Equal("token-one", set.Find("a")!.PushToken);
        Assert.Null(set.Find("b")!.PushToken);
        Assert.Null(set.SetPushToken("a", "token-one"));
        Assert.Equal("token-two", set.SetPushToken("a", "token-two")!.Find("a")!.PushToken);
        Assert.Null(set.SetPushToken("a", null)!.Find("a")!.PushToken);
    }

    [Fact]
    public void A_retiring_or_unknown_device_gets_no_token_and_a_re_registered_one_starts_without()
    {
        var registry = new DeviceRegistry([new("a", 1, 1, PushToken: "token-one")]).MarkRetiring(["a"])!;

        Assert.Null(registry.SetPushToken("a", "token-two"));
        Assert.False(registry.IsActive("a"));
        Assert.Null(registry.SetPushToken("nobody", "token-two"));
        var again = registry.RemoveRetired("a")!.Register("a", 5).Changed!;
        Assert.Null(again.Find("a")!.PushToken);
    }

    [Fact]
    public void Reconnecting_and_touching_keep_the_token()
    {
        var registry = new DeviceRegistry([new("a", 1, 1, PushToken: "token-one")]);

        Assert.Equal("token-one", registry.Register("a", 5).Changed!.Find("a")!.PushToken);
        Assert.Equal("token-one", registry.Touch("a", 6)!.Find("a")!.PushToken);
    }

    [Theory]
    [InlineData("abcdefgh", true)]
    [InlineData("fcm:APA91b-xyz_123.456", true)]
    [InlineData("abcdefg", false)]          // too short
    [InlineData("abc defgh", false)]        // a space
    [InlineData("abcdefgh/", false)]        // a path separator
    [InlineData("abcdefgh\u00e9", false)]   // not ASCII
    [InlineData("abcdefgh\n", false)]
    public void A_token_is_8_to_512_ascii_letters_digits_or_dash_underscore_colon_dot(string token, bool valid)
    {
        Assert.Equal(valid, PushTokens.IsValid(token));
    }

    [Fact]
    public void A_token_has_at_most_512_characters()
    {
        Assert.True(PushTokens.IsValid(new string('a', 512)));
        Assert.False(PushTokens.IsValid(new string('a', 513)));
    }
}
