using Cronos;
using Natter.Sidecar.Components;

namespace Natter.Sidecar.Bindings;

/// <summary>
/// A bindings.cron schedule as Dapr (robfig/cron) reads it: "@every 10s" (any Go duration), the descriptors
/// @yearly/@annually, @monthly, @weekly, @daily/@midnight, @hourly, and 6-field (seconds first) or 5-field cron
/// expressions. Times are UTC.
/// </summary>
public sealed class CronSchedule
{
    private readonly TimeSpan? _every;
    private readonly CronExpression? _expression;

    private CronSchedule(TimeSpan? every, CronExpression? expression, string text)
    {
        _every = every;
        _expression = expression;
        Text = text;
    }

    public string Text { get; }

    public DateTimeOffset? Next(DateTimeOffset after) => _every is { } every
        ? after + every
        : _expression!.GetNextOccurrence(after, TimeZoneInfo.Utc);

    public static CronSchedule Parse(string text, string file)
    {
        var field = "spec.metadata[schedule]";
        var trimmed = text.Trim();
        if (trimmed.StartsWith("@every", StringComparison.Ordinal))
        {
            var duration = trimmed["@every".Length..].Trim();
            return ComponentMetadata.TryParseGoDuration(duration, out var every) && every > TimeSpan.Zero
                ? new CronSchedule(every, null, trimmed)
                : throw new ComponentFileException(file, field, $"'{duration}' in '{text}' is not a positive duration like 10s or 1m30s");
        }
        var expression = trimmed switch
        {
            "@yearly" or "@annually" => "0 0 0 1 1 *",
            "@monthly" => "0 0 0 1 * *",
            "@weekly" => "0 0 0 * * 0",
            "@daily" or "@midnight" => "0 0 0 * * *",
            "@hourly" => "0 0 * * * *",
            _ => trimmed,
        };
        var fields = expression.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        if (fields is not (5 or 6))
        {
            throw new ComponentFileException(file, field, $"'{text}' is not @every <duration>, a descriptor like @daily, or a 5- or 6-field cron expression");
        }
        try
        {
            return new CronSchedule(null, CronExpression.Parse(expression, fields == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard), trimmed);
        }
        catch (CronFormatException e)
        {
            throw new ComponentFileException(file, field, $"'{text}' is not a valid cron expression: {e.Message}");
        }
    }
}
