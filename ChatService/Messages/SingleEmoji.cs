using System.Globalization;

namespace Natter.ChatService.Messages;

/// <summary>
/// A reaction is exactly one emoji: one extended grapheme cluster (UAX #29, as .NET's StringInfo counts them) made only
/// of emoji code points: pictographs, with their skin-tone modifiers, variation selector 16 and zero-width joiners; a
/// flag (two regional indicators, or a tag sequence); or a keycap (0-9 # * with U+20E3). No served NuGet package
/// exposes Unicode's Extended_Pictographic property, so the blocks that hold it are listed here; a letter, a digit on
/// its own, punctuation or two emoji are refused.
/// </summary>
public static class SingleEmoji
{
    /// <summary>UTF-16 code units: the longest emoji sequences (families with skin tones, subdivision flags) use 15.</summary>
    public const int MaxLength = 32;

    public static bool IsValid(string? value)
    {
        if (value is not { Length: > 0 and <= MaxLength })
        {
            return false;
        }
        if (new StringInfo(value).LengthInTextElements != 1)
        {
            return false;
        }
        var runes = value.EnumerateRunes().Select(r => r.Value).ToList();
        if (IsKeycap(runes))
        {
            return true;
        }
        var regional = runes.Count(IsRegionalIndicator);
        if (regional > 0)
        {
            return regional == 2 && runes.Count == 2;
        }
        if (!IsPictographic(runes[0]))
        {
            return false;
        }
        return runes.Skip(1).All(r => IsPictographic(r) || IsModifier(r) || r is ZeroWidthJoiner or VariationSelector16 || IsTag(r));
    }

    private const int ZeroWidthJoiner = 0x200D;
    private const int VariationSelector16 = 0xFE0F;
    private const int CombiningKeycap = 0x20E3;

    // 1️⃣ #️⃣ *️⃣: the base, an optional VS16, then the keycap mark.
    private static bool IsKeycap(List<int> runes) =>
        runes.Count is 2 or 3 && runes[^1] == CombiningKeycap && runes[0] is (>= '0' and <= '9') or '#' or '*'
        && (runes.Count == 2 || runes[1] == VariationSelector16);

    private static bool IsRegionalIndicator(int r) => r is >= 0x1F1E6 and <= 0x1F1FF;

    private static bool IsModifier(int r) => r is >= 0x1F3FB and <= 0x1F3FF;

    // Subdivision flags: 🏴 followed by tag letters and the cancel tag.
    private static bool IsTag(int r) => r is >= 0xE0020 and <= 0xE007F;

    // The blocks and code points where Unicode's Extended_Pictographic emoji live (emoji-data.txt).
    private static bool IsPictographic(int r) => r switch
    {
        0x00A9 or 0x00AE or 0x203C or 0x2049 or 0x2122 or 0x2139 or 0x24C2 or 0x3030 or 0x303D or 0x3297 or 0x3299 => true,
        >= 0x2194 and <= 0x21AA => true,   // arrows
        >= 0x231A and <= 0x23FF => true,   // ⌚ ⌛ ⏩ … ⏺
        >= 0x25AA and <= 0x25FE => true,   // geometric shapes used as emoji
        >= 0x2600 and <= 0x27BF => true,   // miscellaneous symbols, dingbats
        0x2934 or 0x2935 => true,
        >= 0x2B05 and <= 0x2B55 => true,   // ⬅ ⬆ ⬇ ⬛ ⬜ ⭐ ⭕
        >= 0x1F000 and <= 0x1F1E5 => true, // mahjong, cards, enclosed alphanumerics
        >= 0x1F200 and <= 0x1F3FA => true,
        >= 0x1F400 and <= 0x1FAFF => true, // pictographs, emoticons, transport, supplemental symbols
        _ => false,
    };
}
