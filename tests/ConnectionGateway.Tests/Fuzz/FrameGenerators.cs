using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;
using Natter.Contracts;

namespace Natter.Testing.Fuzz;

/// <summary>
/// FsCheck generators for client frames: well-formed commands of every type with generated field values, then
/// structural mutations (wrong JSON kinds, missing and extra fields, hostile strings, deep nesting) and byte-level
/// mutations (truncation, byte flips, insertions). Shared by the in-process suites and the socket suite (linked).
/// </summary>
public static class FrameGenerators
{
    /// <summary>The seed every fuzz suite replays, so a failure found in CI is found again on any machine.</summary>
    public const ulong Seed = 0x4E_41_54_54_45_52; // "NATTER"

    /// <summary>FsCheck's size parameter for sampling: bounds generated strings and lists.</summary>
    public const int SampleSize = 40;

    public static readonly string[] CommandTypes =
    [
        FrameTypes.CreateChat, FrameTypes.SendMessage, FrameTypes.ModifyChatParticipants, FrameTypes.ListChats,
        FrameTypes.GetChat, FrameTypes.DeactivateClient, FrameTypes.CreateAttachment, FrameTypes.Received,
        FrameTypes.Typing, FrameTypes.GetPresence, FrameTypes.UpdateSettings, // typing and presence (§12)
    ];

    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Strings that have broken parsers, URLs, state keys or logs somewhere.</summary>
    private static readonly string[] HostileStrings =
    [
        "", " ", "\t", "/", "a/b", "../..", ".", "..", "?", "a?b=c", "#", "a#b", "%2F", "%", "a%00b", "\0", "a\u0000b",
        "\u001f", "\r\n", "|", "a|b", "chat|x", ":", "a:1", "\u202e", "\ufeff", "\ud800", "\udc00x", "😀", "ü", "\u0085",
        "null", "true", "0", "-1", "1e309", "{}", "[]", "\"", "\\", "<script>", "' OR 1=1 --", "${x}", "%s%n",
        new string('x', 129), new string('a', 70_000), new string('/', 300),
    ];

    private static readonly string[] PlausibleIds =
    [
        "alice", "bob", "carol-1", "c-42", "phone", "a1", "att-1", "0193b0a4-7d3e-7a1b-9c2d-3e4f5a6b7c8d",
        "5c1e0c2b8d5a4f1e9b7c6d5e4f3a2b1c", "user.name", "x_y", "m:1", "a@b.example",
    ];

    private static readonly Gen<string> AnyString = ArbMap.Default.GeneratorFor<string>().Where(s => s is not null);

    /// <summary>A string a client might plausibly send for an id or text field, or one chosen to hurt.</summary>
    public static readonly Gen<string> FieldString = Gen.Frequency(
        (4, Gen.Elements(PlausibleIds)),
        (2, Gen.Elements(HostileStrings)),
        (2, AnyString),
        (1, ArbMap.Default.GeneratorFor<Guid>().Select(g => g.ToString())));

    /// <summary>Chat ids of the server's form now and then, so frames get past validation to the chat actor. Each such
    /// call goes through the sidecar's actor runtime and costs milliseconds, which bounds how often this may win.</summary>
    private static readonly Gen<string> ChatIdString = Gen.Frequency(
        (1, ArbMap.Default.GeneratorFor<Guid>().Select(g => g.ToString())),
        (4, FieldString));

    private static readonly Gen<string> Hash = Gen.Frequency(
        (3, ArbMap.Default.GeneratorFor<Guid>().Two().Select(t => (t.Item1.ToString("N") + t.Item2.ToString("N")))),
        (1, FieldString));

    private static readonly Gen<JsonNode?> Number = Gen.OneOf(
        ArbMap.Default.GeneratorFor<int>().Select(i => (JsonNode?)JsonValue.Create(i)),
        ArbMap.Default.GeneratorFor<long>().Select(i => (JsonNode?)JsonValue.Create(i)),
        Gen.Elements(0.5, -1.0, 1e300, double.Epsilon).Select(d => (JsonNode?)JsonValue.Create(d)),
        Gen.Elements(long.MaxValue, long.MinValue, 0L, 1L, 10L).Select(i => (JsonNode?)JsonValue.Create(i)));

    /// <summary>Any JSON value, of any kind, including nesting deeper than the reader allows.</summary>
    public static readonly Gen<JsonNode?> AnyValue = Gen.Sized(size => Value(Math.Min(size, 6)));

    private static Gen<JsonNode?> Value(int depth)
    {
        var leaf = Gen.Frequency(
            (1, Gen.Constant<JsonNode?>(null)),
            (1, ArbMap.Default.GeneratorFor<bool>().Select(b => (JsonNode?)JsonValue.Create(b))),
            (2, Number),
            (3, FieldString.Select(s => (JsonNode?)JsonValue.Create(s))));
        if (depth <= 0)
        {
            return leaf;
        }
        var inner = Value(depth / 2);
        return Gen.Frequency(
            (6, leaf),
            (1, inner.ListOf().Select(items => (JsonNode?)new JsonArray([.. items]))),
            (1, Gen.Zip(FieldString, inner).ListOf().Select(pairs => (JsonNode?)ToObject(pairs))),
            (1, Gen.Choose(10, 40).Select(Nested)));
    }

    private static JsonNode? Nested(int depth)
    {
        JsonNode node = JsonValue.Create(1);
        for (var i = 0; i < depth; i++)
        {
            node = new JsonArray(node);
        }
        return node;
    }

    private static JsonObject ToObject(IEnumerable<(string Key, JsonNode? Value)> pairs)
    {
        var o = new JsonObject();
        foreach (var (key, value) in pairs)
        {
            o[key] = value;
        }
        return o;
    }

    private static Gen<JsonNode?> Str(Gen<string> gen) => gen.Select(s => (JsonNode?)JsonValue.Create(s));

    private static Gen<JsonNode?> StrList(Gen<string> gen) =>
        gen.ListOf().Select(items => (JsonNode?)new JsonArray([.. items.Select(s => (JsonNode?)JsonValue.Create(s))]));

    /// <summary>Each command's fields with well-typed, generated values.</summary>
    private static Gen<(string Name, JsonNode? Value)[]> FieldsOf(string type) => type switch
    {
        FrameTypes.CreateChat =>
            from participants in StrList(FieldString)
            from name in Str(FieldString)
            select new[] { ("participants", participants), ("name", name) },
        FrameTypes.SendMessage =>
            from chatId in Str(ChatIdString)
            from message in Str(AnyString)
            from attachments in StrList(FieldString)
            from clientMessageId in Str(FieldString)
            select new[] { ("chatId", chatId), ("message", message), ("attachments", attachments), ("clientMessageId", clientMessageId) },
        FrameTypes.ModifyChatParticipants =>
            from chatId in Str(ChatIdString)
            from userId in Str(FieldString)
            from operation in Str(Gen.Frequency((4, Gen.Elements(ParticipantOperations.Add, ParticipantOperations.Remove)), (1, FieldString)))
            select new[] { ("chatId", chatId), ("userId", userId), ("operation", operation) },
        FrameTypes.GetChat => Str(ChatIdString).Select(c => new[] { ("chatId", c) }),
        FrameTypes.DeactivateClient => Str(FieldString).Select(c => new[] { ("clientId", c) }),
        FrameTypes.CreateAttachment =>
            from hash in Str(Hash)
            from size in Gen.Choose(-2, 100_000_000)
            from contentType in Str(Gen.Frequency((3, Gen.Elements("image/jpeg", "image/png", "application/pdf")), (1, FieldString)))
            select new[] { ("hash", hash), ("size", (JsonNode?)JsonValue.Create((long)size)), ("contentType", contentType) },
        FrameTypes.Received => Str(Gen.Frequency((3, Gen.Elements("phone:1", "a1:0", "x:-1", ":3")), (1, FieldString)))
            .Select(d => new[] { ("deliveryId", d) }),
        // Typing and presence (§12).
        FrameTypes.Typing =>
            from chatId in Str(ChatIdString)
            from state in Str(Gen.Frequency((4, Gen.Elements(TypingStates.Start, TypingStates.Stop)), (1, FieldString)))
            select new[] { ("chatId", chatId), ("state", state) },
        FrameTypes.GetPresence => StrList(FieldString).Select(u => new[] { ("userIds", u) }),
        FrameTypes.UpdateSettings =>
            from show in Gen.Elements(true, false)
            select new[] { ("showPresence", (JsonNode?)JsonValue.Create(show)) },
        _ => Gen.Constant(Array.Empty<(string, JsonNode?)>()),
    };

    /// <summary>A well-formed frame of one of the command types, with a requestId.</summary>
    public static readonly Gen<JsonObject> WellFormed =
        from type in Gen.Elements(CommandTypes)
        from requestId in Gen.Choose(0, 1_000_000)
        from fields in FieldsOf(type)
        select Frame(type, $"r{requestId}", fields);

    private static JsonObject Frame(string type, string requestId, IEnumerable<(string Name, JsonNode? Value)> fields)
    {
        var frame = new JsonObject { ["type"] = type, ["requestId"] = requestId };
        foreach (var (name, value) in fields)
        {
            frame[name] = value;
        }
        return frame;
    }

    /// <summary>A well-formed frame with one structural change: a field of the wrong kind, missing, added, or a wrong type.</summary>
    public static readonly Gen<JsonNode> StructurallyMutated =
        from frame in WellFormed
        from which in Gen.Choose(0, 7)
        from value in AnyValue
        from pick in Gen.Choose(0, 1000)
        from text in FieldString
        select Mutate(frame, which, value, pick, text);

    private static JsonNode Mutate(JsonObject frame, int which, JsonNode? value, int pick, string text)
    {
        var names = frame.Select(p => p.Key).ToArray();
        var name = names[pick % names.Length];
        switch (which)
        {
            case 0: // a field (type and requestId included) gets a value of any kind
                frame[name] = value;
                return frame;
            case 1:
                frame.Remove(name);
                return frame;
            case 2:
                frame[text] = value;
                return frame;
            case 3: // another command's type, or an unknown one
                frame["type"] = pick % 2 == 0 ? CommandTypes[pick % CommandTypes.Length] : text;
                return frame;
            case 4: // a frame that is not an object
                return pick % 2 == 0 ? new JsonArray(frame) : JsonValue.Create(text);
            case 5: // every field null
                foreach (var n in names.Where(n => n != "type"))
                {
                    frame[n] = null;
                }
                return frame;
            case 6: // a number where a string belongs and a string where a number belongs
                foreach (var n in names.Where(n => n != "type"))
                {
                    frame[n] = frame[n] is JsonValue v && v.TryGetValue<long>(out var l) ? JsonValue.Create(l.ToString(System.Globalization.CultureInfo.InvariantCulture))
                        : JsonValue.Create(pick);
                }
                return frame;
            default: // a hostile string in every string field
                foreach (var n in names.Where(n => n != "type" && frame[n] is JsonValue v && v.GetValueKind() == JsonValueKind.String))
                {
                    frame[n] = text;
                }
                return frame;
        }
    }

    public static byte[] Serialize(JsonNode node) => JsonSerializer.SerializeToUtf8Bytes(node, Relaxed);

    /// <summary>Byte-level damage to a serialised frame: truncation, flips, insertions, duplication, raw garbage.</summary>
    public static readonly Gen<byte[]> ByteMutated =
        from node in Gen.OneOf(WellFormed.Select(f => (JsonNode)f), StructurallyMutated)
        from which in Gen.Choose(0, 5)
        from position in Gen.Choose(0, int.MaxValue)
        from noise in ArbMap.Default.GeneratorFor<byte[]>().Where(b => b is not null)
        select Damage(Serialize(node), which, position, noise);

    private static byte[] Damage(byte[] bytes, int which, int position, byte[] noise)
    {
        var at = bytes.Length == 0 ? 0 : position % bytes.Length;
        var b = noise.Length > 0 ? noise[0] : (byte)0xff;
        switch (which)
        {
            case 0:
                return bytes[..at];
            case 1:
                bytes[at] ^= (byte)(1 << (position % 8));
                return bytes;
            case 2:
                bytes[at] = b;
                return bytes;
            case 3:
                return [.. bytes[..at], .. noise, .. bytes[at..]];
            case 4: // the same key twice, or two frames in one message
                return [.. bytes, .. bytes];
            default:
                return noise;
        }
    }

    /// <summary>Every kind of frame: well-formed, structurally mutated, byte-damaged, and a few fixed oddities.</summary>
    public static readonly Gen<byte[]> AnyFrame = Gen.Frequency(
        (2, WellFormed.Select(f => Serialize(f))),
        (4, StructurallyMutated.Select(Serialize)),
        (3, ByteMutated),
        (1, Gen.Elements("", " ", "{}", "null", "{\"type\":\"sendMessage\",\"type\":\"getChat\"}",
            "{\"type\":\"createAttachment\",\"hash\":\"" + new string('a', 64) + "\",\"size\":\"10\",\"contentType\":\"image/png\"}",
            "{\"type\":\"getChat\",\"requestId\":\"\\ud800\"}", "{\"type\":\"\\udc00\"}", "{\"type\":\"getChat\",\"chatId\":\"\\ud800\"}")
            .Select(s => Encoding.UTF8.GetBytes(s))));

    /// <summary>The display form of a frame for a failure message.</summary>
    public static string Show(byte[] bytes)
    {
        var text = Encoding.UTF8.GetString(bytes);
        return text.Length <= 300 ? text : text[..300] + $"... ({bytes.Length} bytes)";
    }
}
