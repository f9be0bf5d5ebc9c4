using System.Text.Json.Nodes;
using YamlDotNet.RepresentationModel;

namespace Natter.AppHost.Tests.Infrastructure;

/// <summary>
/// YAML files as JSON nodes (every scalar a string), so a test navigates a manifest with doc["spec"]?["template"].
/// Parsed by YamlDotNet: a file that is not valid YAML fails the test that reads it.
/// </summary>
public static class YamlDocuments
{
    public static IReadOnlyList<JsonObject> Load(string path)
    {
        var stream = new YamlStream();
        using (var reader = new StreamReader(path))
        {
            stream.Load(reader);
        }
        return [.. stream.Documents.Where(d => d.RootNode is YamlMappingNode).Select(d => (JsonObject)ToJson(d.RootNode)!)];
    }

    public static string Text(this JsonNode? node) => node?.GetValue<string>() ?? "";

    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(c =>
            KeyValuePair.Create(((YamlScalarNode)c.Key).Value!, ToJson(c.Value)))),
        YamlSequenceNode list => new JsonArray([.. list.Children.Select(ToJson)]),
        YamlScalarNode { Value: null or "" or "~" or "null" } scalar when scalar.Style == YamlDotNet.Core.ScalarStyle.Plain => null,
        YamlScalarNode scalar => JsonValue.Create(scalar.Value),
        _ => throw new InvalidOperationException($"Unsupported YAML node {node.NodeType} at {node.Start}"),
    };
}

/// <summary>A Dapr resource file's kind and metadata.name.</summary>
public static class DaprResource
{
    public static (string Kind, string Name) KindAndName(string path) =>
        YamlDocuments.Load(path).Select(d => (d["kind"].Text(), d["metadata"]?["name"].Text() ?? "")).Single();
}
