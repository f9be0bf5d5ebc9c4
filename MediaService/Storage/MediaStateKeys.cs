namespace Natter.MediaService.Storage;

/// <summary>MediaService's keys in the shared state store; the "media|" prefix keeps them apart from other apps' keys.</summary>
public static class MediaStateKeys
{
    public static string Attachment(string id) => $"media|attachment|{id}";
    public static string Blob(string sha256) => $"media|blob|{sha256}";
    public static string ExpiryBucket(DateOnly day) => $"media|expiry|{day:yyyy-MM-dd}";
    public const string ExpiryCursor = "media|expiry-cursor";
}
