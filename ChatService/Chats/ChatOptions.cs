namespace Natter.ChatService.Chats;

public sealed class ChatOptions
{
    public const string Section = "Chat";

    /// <summary>UTF-8 bytes of one message body. 64 KiB keeps a 100-member, 3-device fan-out under 20 MiB.</summary>
    public int MaxMessageBytes { get; set; } = 64 * 1024;

    public const int MaxAttachments = 10; // product limit
}
