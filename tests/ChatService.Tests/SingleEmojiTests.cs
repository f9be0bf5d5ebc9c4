using Natter.ChatService.Messages;

namespace Natter.ChatService.Tests;

public sealed class SingleEmojiTests
{
    [Theory]
    [InlineData("👍")]
    [InlineData("👍🏽")]             // skin tone
    [InlineData("❤️")]              // with VS16
    [InlineData("❤")]               // without
    [InlineData("😂")]
    [InlineData("🇳🇱")]              // flag: two regional indicators
    [InlineData("🏴󠁧󠁢󠁳󠁣󠁴󠁿")]        // subdivision flag: tag sequence
    [InlineData("👨‍👩‍👧‍👦")]          // ZWJ family
    [InlineData("🧑🏻‍❤️‍💋‍🧑🏼")]        // the longest kind: ZWJ with two skin tones
    [InlineData("1️⃣")]              // keycap
    [InlineData("#️⃣")]
    [InlineData("🫠")]              // Unicode 14
    public void One_emoji_is_accepted(string emoji) => Assert.True(SingleEmoji.IsValid(emoji));

    [Theory]
    [InlineData("")]
    [InlineData("a")]
    [InlineData("1")]
    [InlineData("ok")]
    [InlineData("👍👍")]             // two emoji
    [InlineData("👍 ")]
    [InlineData("🇳")]               // half a flag
    [InlineData("é")]
    [InlineData("\u200D")]
    [InlineData("👍\u0301")]         // an emoji with a combining accent is one cluster, but not an emoji
    [InlineData("<script>")]
    public void Anything_else_is_refused(string text) => Assert.False(SingleEmoji.IsValid(text));

    [Fact]
    public void Null_and_overlong_strings_are_refused()
    {
        Assert.False(SingleEmoji.IsValid(null));
        Assert.False(SingleEmoji.IsValid(string.Concat(Enumerable.Repeat("👍", 20))));
    }
}
