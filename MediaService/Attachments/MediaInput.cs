namespace Natter.MediaService.Attachments;

/// <summary>Input checks for values that become blob names and state keys.</summary>
public static class MediaInput
{
    /// <summary>Lower-case 64-hex form, or null: the hash becomes a blob name, so nothing else may pass.</summary>
    public static string? NormalizeSha256(string? value) =>
        value is { Length: 64 } && value.All(Uri.IsHexDigit) ? value.ToLowerInvariant() : null;

    public static bool IsValidContentType(string? contentType) =>
        contentType is { Length: > 0 and <= 200 } && contentType.Contains('/') && !contentType.Any(char.IsControl);

    /// <summary>Attachment ids are 32 lower-case hex characters (a Guid "N").</summary>
    public static bool IsValidId(string? id) => id is { Length: 32 } && id.All(c => c is (>= '0' and <= '9') or (>= 'a' and <= 'f'));
}
