using Natter.Sidecar.Hosting;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Natter.Sidecar.Components;

/// <summary>
/// Reads Dapr component files (apiVersion dapr.io/v1alpha1, kind Component) from the top level of the resources
/// folder, as daprd's standalone loader does, drops components scoped to other apps and resolves secretKeyRef values.
/// </summary>
public static class ComponentLoader
{
    private const string ApiVersion = "dapr.io/v1alpha1";

    // Other resource kinds daprd reads from the same folder; they configure nothing this sidecar implements.
    private static readonly HashSet<string> IgnoredKinds = ["Configuration", "Resiliency", "HTTPEndpoint"];

    public static IReadOnlyList<ComponentSpec> Load(string resourcesPath, string appId, SidecarEnvironment environment, ILogger logger)
    {
        if (!Directory.Exists(resourcesPath))
        {
            throw new ComponentFileException(resourcesPath, "--resources-path", "the folder does not exist");
        }
        var files = Directory.EnumerateFiles(resourcesPath, "*.*", SearchOption.TopDirectoryOnly)
            .Where(f => f.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".yml", StringComparison.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal);

        var raw = new List<RawComponent>();
        foreach (var file in files)
        {
            raw.AddRange(ReadFile(file, logger));
        }

        var inScope = raw.Where(c => c.Scopes.Count == 0 || c.Scopes.Contains(appId)).ToList();
        foreach (var skipped in raw.Except(inScope))
        {
            logger.LogInformation("Component {Name} in {File} is scoped to other apps; skipped", skipped.Name, skipped.File);
        }
        var duplicate = inScope.GroupBy(c => c.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            var second = duplicate.Skip(1).First();
            throw new ComponentFileException(second.File, "metadata.name", $"a component named '{second.Name}' is already defined in '{duplicate.First().File}'");
        }

        var secretStores = inScope.Where(c => c.Type == ComponentTypes.SecretStoreLocalEnv).Select(c => c.Name).ToHashSet();
        return inScope.Select(c => Resolve(c, secretStores, environment)).ToList();
    }

    private static ComponentSpec Resolve(RawComponent component, HashSet<string> secretStores, SidecarEnvironment environment)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var item in component.Metadata)
        {
            if (item.Value is not null)
            {
                metadata[item.Name] = item.Value;
                continue;
            }
            var field = $"spec.metadata[{item.Name}].secretKeyRef";
            if (component.SecretStore is null)
            {
                throw new ComponentFileException(component.File, "auth.secretStore", $"'{item.Name}' uses secretKeyRef but no secret store is named");
            }
            if (!secretStores.Contains(component.SecretStore))
            {
                throw new ComponentFileException(component.File, "auth.secretStore", $"secret store '{component.SecretStore}' is not a loaded secretstores.local.env component");
            }
            var (name, key) = item.SecretRef!.Value;
            // secretstores.local.env answers a secret name with the map {name: value}, so the key is the name itself.
            if (key is { Length: > 0 } && key != name)
            {
                throw new ComponentFileException(component.File, field + ".key", $"key '{key}' is not in secret '{name}' (local.env secrets hold one key, the name)");
            }
            metadata[item.Name] = environment[name]
                ?? throw new ComponentFileException(component.File, field + ".name", $"secret '{name}' is not set in the environment of secret store '{component.SecretStore}'");
        }
        return new ComponentSpec(component.Name, component.Type, component.Version, metadata, component.Scopes, component.File);
    }

    private static IEnumerable<RawComponent> ReadFile(string file, ILogger logger)
    {
        var stream = new YamlStream();
        try
        {
            using var reader = new StreamReader(file);
            stream.Load(reader);
        }
        catch (YamlException e)
        {
            throw new ComponentFileException(file, $"line {e.Start.Line}", $"not valid YAML: {e.Message}");
        }
        var result = new List<RawComponent>();
        foreach (var document in stream.Documents)
        {
            if (document.RootNode is YamlScalarNode { Value: null or "" })
            {
                continue;
            }
            if (document.RootNode is not YamlMappingNode root)
            {
                throw new ComponentFileException(file, "(root)", "expected a mapping with apiVersion, kind, metadata and spec");
            }
            var kind = Scalar(root, "kind", file, "kind");
            if (IgnoredKinds.Contains(kind))
            {
                logger.LogWarning("{File}: kind {Kind} is not supported by this sidecar; ignored", file, kind);
                continue;
            }
            if (kind != "Component")
            {
                throw new ComponentFileException(file, "kind", $"'{kind}' is not supported (only Component)");
            }
            var apiVersion = Scalar(root, "apiVersion", file, "apiVersion");
            if (apiVersion != ApiVersion)
            {
                throw new ComponentFileException(file, "apiVersion", $"'{apiVersion}' is not {ApiVersion}");
            }
            result.Add(ReadComponent(root, file));
        }
        return result;
    }

    private static RawComponent ReadComponent(YamlMappingNode root, string file)
    {
        var meta = Mapping(root, "metadata", file, "metadata") ?? throw Missing(file, "metadata");
        var name = Scalar(meta, "name", file, "metadata.name");
        var spec = Mapping(root, "spec", file, "spec") ?? throw Missing(file, "spec");
        var type = Scalar(spec, "type", file, "spec.type");
        if (!ComponentTypes.Supported.TryGetValue(type, out var supportedVersion))
        {
            throw new ComponentFileException(file, "spec.type", $"component type '{type}' is not supported (supported: {string.Join(", ", ComponentTypes.Supported.Keys.Order())})");
        }
        var version = OptionalScalar(spec, "version", file, "spec.version") ?? "v1";
        if (version != supportedVersion)
        {
            throw new ComponentFileException(file, "spec.version", $"version '{version}' of {type} is not supported (only {supportedVersion})");
        }

        var items = new List<RawMetadata>();
        if (Child(spec, "metadata") is { } metadataNode)
        {
            if (metadataNode is not YamlSequenceNode sequence)
            {
                throw new ComponentFileException(file, "spec.metadata", "expected a list of {name, value} or {name, secretKeyRef}");
            }
            var index = 0;
            foreach (var node in sequence)
            {
                var field = $"spec.metadata[{index++}]";
                if (node is not YamlMappingNode item)
                {
                    throw new ComponentFileException(file, field, "expected {name, value} or {name, secretKeyRef}");
                }
                var itemName = Scalar(item, "name", file, field + ".name");
                field = $"spec.metadata[{itemName}]";
                if (Mapping(item, "secretKeyRef", file, field + ".secretKeyRef") is { } secretRef)
                {
                    var secretName = Scalar(secretRef, "name", file, field + ".secretKeyRef.name");
                    var secretKey = OptionalScalar(secretRef, "key", file, field + ".secretKeyRef.key");
                    items.Add(new RawMetadata(itemName, null, (secretName, secretKey)));
                }
                else
                {
                    items.Add(new RawMetadata(itemName, OptionalScalar(item, "value", file, field + ".value") ?? "", null));
                }
            }
        }

        string? secretStore = null;
        if (Mapping(root, "auth", file, "auth") is { } auth)
        {
            secretStore = OptionalScalar(auth, "secretStore", file, "auth.secretStore");
        }

        var scopes = new List<string>();
        if (Child(root, "scopes") is { } scopesNode)
        {
            if (scopesNode is not YamlSequenceNode scopeList || scopeList.Any(s => s is not YamlScalarNode))
            {
                throw new ComponentFileException(file, "scopes", "expected a list of app ids");
            }
            scopes.AddRange(scopeList.Cast<YamlScalarNode>().Select(s => s.Value ?? ""));
        }
        return new RawComponent(name, type, version, items, secretStore, scopes, file);
    }

    private static YamlNode? Child(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var child) ? child : null;

    private static string Scalar(YamlMappingNode node, string key, string file, string field) =>
        OptionalScalar(node, key, file, field) is { Length: > 0 } value ? value : throw Missing(file, field);

    private static string? OptionalScalar(YamlMappingNode node, string key, string file, string field) => Child(node, key) switch
    {
        null => null,
        YamlScalarNode scalar => scalar.Value,
        _ => throw new ComponentFileException(file, field, "expected a single value"),
    };

    private static YamlMappingNode? Mapping(YamlMappingNode node, string key, string file, string field) => Child(node, key) switch
    {
        null => null,
        YamlMappingNode mapping => mapping,
        YamlScalarNode { Value: null or "" } => null,
        _ => throw new ComponentFileException(file, field, "expected a mapping"),
    };

    private static ComponentFileException Missing(string file, string field) => new(file, field, "is required");

    private sealed record RawMetadata(string Name, string? Value, (string Name, string? Key)? SecretRef);

    private sealed record RawComponent(
        string Name, string Type, string Version, IReadOnlyList<RawMetadata> Metadata, string? SecretStore,
        IReadOnlyList<string> Scopes, string File);
}
