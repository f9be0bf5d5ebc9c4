using System.Text;
using Npgsql;

namespace Natter.Sidecar.Postgres;

/// <summary>
/// Dapr's PostgreSQL connection settings (pgx: a libpq keyword/value string or a postgres:// URL, then the optional
/// host, port, database, user and password fields, which override it) as an Npgsql connection string.
/// </summary>
public static class PostgresConnectionString
{
    /// <summary>Throws a <see cref="FormatException"/> naming the keyword that cannot be used.</summary>
    public static NpgsqlConnectionStringBuilder Parse(string daprConnectionString, IReadOnlyDictionary<string, string?> overrides)
    {
        var builder = new NpgsqlConnectionStringBuilder();
        var text = daprConnectionString.Trim();
        var settings = text.StartsWith("postgres://", StringComparison.Ordinal) || text.StartsWith("postgresql://", StringComparison.Ordinal)
            ? FromUrl(text)
            : FromKeywords(text);
        foreach (var (key, value) in settings.Concat(overrides.Where(o => !string.IsNullOrEmpty(o.Value)).Select(o => (o.Key, o.Value!))))
        {
            Apply(builder, key, value);
        }
        return builder;
    }

    private static void Apply(NpgsqlConnectionStringBuilder builder, string key, string value)
    {
        switch (key)
        {
            case "host" or "hostaddr":
                builder.Host = value;
                break;
            case "port":
                builder.Port = int.TryParse(value, out var port) ? port : throw new FormatException($"port '{value}' is not a number");
                break;
            case "dbname" or "database":
                builder.Database = value;
                break;
            case "user":
                builder.Username = value;
                break;
            case "password":
                builder.Password = value;
                break;
            case "sslmode":
                builder.SslMode = Enum.TryParse<SslMode>(value.Replace("-", "", StringComparison.Ordinal), ignoreCase: true, out var mode)
                    ? mode
                    : throw new FormatException($"sslmode '{value}' is not one of disable, allow, prefer, require, verify-ca, verify-full");
                break;
            case "sslrootcert":
                builder.RootCertificate = value;
                break;
            case "connect_timeout":
                builder.Timeout = int.TryParse(value, out var seconds) ? seconds : throw new FormatException($"connect_timeout '{value}' is not a number of seconds");
                break;
            case "application_name":
                builder.ApplicationName = value;
                break;
            case "search_path":
                builder.SearchPath = value;
                break;
            case "pool_max_conns":
                builder.MaxPoolSize = int.TryParse(value, out var max) ? max : throw new FormatException($"pool_max_conns '{value}' is not a number");
                break;
            default:
                throw new FormatException($"connection string keyword '{key}' is not supported by this sidecar");
        }
    }

    // libpq keyword/value: key = value pairs separated by spaces; a value may be single-quoted, with \' and \\ escapes.
    private static List<(string Key, string Value)> FromKeywords(string text)
    {
        var result = new List<(string, string)>();
        var i = 0;
        while (true)
        {
            while (i < text.Length && char.IsWhiteSpace(text[i]))
            {
                i++;
            }
            if (i == text.Length)
            {
                return result;
            }
            var start = i;
            while (i < text.Length && text[i] != '=' && !char.IsWhiteSpace(text[i]))
            {
                i++;
            }
            var key = text[start..i];
            while (i < text.Length && char.IsWhiteSpace(text[i]))
            {
                i++;
            }
            if (i == text.Length || text[i] != '=' || key.Length == 0)
            {
                throw new FormatException($"expected keyword=value at '{text[start..]}'");
            }
            i++;
            while (i < text.Length && char.IsWhiteSpace(text[i]))
            {
                i++;
            }
            var value = new StringBuilder();
            if (i < text.Length && text[i] == '\'')
            {
                i++;
                while (i < text.Length && text[i] != '\'')
                {
                    if (text[i] == '\\' && i + 1 < text.Length)
                    {
                        i++;
                    }
                    value.Append(text[i++]);
                }
                if (i == text.Length)
                {
                    throw new FormatException($"unterminated quoted value for '{key}'");
                }
                i++;
            }
            else
            {
                while (i < text.Length && !char.IsWhiteSpace(text[i]))
                {
                    value.Append(text[i++]);
                }
            }
            result.Add((key, value.ToString()));
        }
    }

    private static List<(string Key, string Value)> FromUrl(string text)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri))
        {
            throw new FormatException("the postgres:// URL is malformed");
        }
        var result = new List<(string, string)>();
        if (uri.Host.Length > 0)
        {
            result.Add(("host", uri.Host));
        }
        if (!uri.IsDefaultPort && uri.Port > 0)
        {
            result.Add(("port", uri.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }
        if (uri.UserInfo.Length > 0)
        {
            var parts = uri.UserInfo.Split(':', 2);
            result.Add(("user", Uri.UnescapeDataString(parts[0])));
            if (parts.Length == 2)
            {
                result.Add(("password", Uri.UnescapeDataString(parts[1])));
            }
        }
        if (uri.AbsolutePath.Trim('/') is { Length: > 0 } database)
        {
            result.Add(("dbname", Uri.UnescapeDataString(database)));
        }
        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var kv = pair.Split('=', 2);
            result.Add((Uri.UnescapeDataString(kv[0]), kv.Length == 2 ? Uri.UnescapeDataString(kv[1]) : ""));
        }
        return result;
    }
}
