using System.Globalization;
using System.Text.RegularExpressions;
using Natter.Sidecar.Components;
using Natter.Sidecar.Postgres;
using Npgsql;

namespace Natter.Sidecar.State.Postgres;

/// <summary>
/// state.postgresql v2's metadata, with its defaults: tablePrefix "", metadataTableName "dapr_metadata", timeout 20s,
/// cleanupInterval 1h (0 or negative: no cleanup). Durations are Go durations or a number of seconds, as Dapr documents.
/// </summary>
public sealed partial record PostgresStateOptions(
    NpgsqlConnectionStringBuilder Connection,
    string TablePrefix,
    string MetadataTableName,
    TimeSpan Timeout,
    TimeSpan? CleanupInterval)
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(20);
    public static readonly TimeSpan DefaultCleanupInterval = TimeSpan.FromHours(1);

    /// <summary>The state table: v2 names it "{tablePrefix}state".</summary>
    public string StateTable => TablePrefix + "state";

    public static PostgresStateOptions From(ComponentSpec spec)
    {
        if (spec.Get("tableName") is { Length: > 0 })
        {
            // A v1 field: v2 ignores it, which would silently write somewhere the author did not mean.
            throw Invalid(spec, "tableName", "is a state.postgresql v1 field; v2 names its table '{tablePrefix}state' (use tablePrefix)");
        }
        NpgsqlConnectionStringBuilder connection;
        try
        {
            connection = PostgresConnectionString.Parse(spec.Required("connectionString"), new Dictionary<string, string?>
            {
                ["host"] = spec.Get("host"),
                ["hostaddr"] = spec.Get("hostaddr"),
                ["port"] = spec.Get("port"),
                ["database"] = spec.Get("database"),
                ["user"] = spec.Get("user"),
                ["password"] = spec.Get("password"),
                ["sslrootcert"] = spec.Get("sslRootCert"),
            });
        }
        catch (FormatException e)
        {
            throw Invalid(spec, "connectionString", e.Message);
        }
        var prefix = spec.Get("tablePrefix") ?? "";
        if (!TablePrefixPattern().IsMatch(prefix))
        {
            throw Invalid(spec, "tablePrefix", $"'{prefix}' is not an identifier prefix such as my_ or public.");
        }
        var metadataTable = spec.Get("metadataTableName") is { Length: > 0 } m ? m : "dapr_metadata";
        if (!TableNamePattern().IsMatch(metadataTable))
        {
            throw Invalid(spec, "metadataTableName", $"'{metadataTable}' is not a table name such as dapr_metadata or public.dapr_metadata");
        }
        var timeout = Duration(spec, "timeout", "timeoutInSeconds") ?? DefaultTimeout;
        if (timeout < TimeSpan.FromSeconds(1))
        {
            throw Invalid(spec, "timeout", "must be 1s or more");
        }
        // The command timeout is whole seconds in Npgsql; round up so a short timeout never becomes "none" (0).
        connection.CommandTimeout = (int)Math.Ceiling(timeout.TotalSeconds);
        connection.Timeout = Math.Max(connection.Timeout, connection.CommandTimeout);
        var cleanup = Duration(spec, "cleanupInterval", "cleanupIntervalInSeconds") ?? DefaultCleanupInterval;
        return new PostgresStateOptions(connection, prefix, metadataTable, timeout, cleanup > TimeSpan.Zero ? cleanup : null);
    }

    // A number is seconds; "0" or a negative value disables (returned as zero).
    private static TimeSpan? Duration(ComponentSpec spec, string key, string alias)
    {
        var (name, value) = spec.Get(key) is { Length: > 0 } v ? (key, v) : (alias, spec.Get(alias));
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }
        if (double.TryParse(value, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds))
        {
            return seconds > 0 ? TimeSpan.FromSeconds(seconds) : TimeSpan.Zero;
        }
        if (value.StartsWith('-'))
        {
            return TimeSpan.Zero;
        }
        return ComponentMetadata.TryParseGoDuration(value, out var duration)
            ? duration
            : throw Invalid(spec, name, $"'{value}' is not a duration like 30s or a number of seconds");
    }

    private static ComponentFileException Invalid(ComponentSpec spec, string key, string problem) =>
        new(spec.SourceFile, $"spec.metadata[{key}]", problem);

    // Table names go into SQL text (no driver parameter can name a table), so only plain identifiers are accepted.
    [GeneratedRegex("^([A-Za-z_][A-Za-z0-9_]*\\.)?[A-Za-z0-9_]*$")]
    private static partial Regex TablePrefixPattern();

    [GeneratedRegex("^([A-Za-z_][A-Za-z0-9_]*\\.)?[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex TableNamePattern();
}
