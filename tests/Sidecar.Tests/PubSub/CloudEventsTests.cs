using System.Text;
using System.Text.Json;
using Natter.Sidecar.PubSub;

namespace Natter.Sidecar.Tests.PubSub;

public sealed class CloudEventsTests
{
    private const string TraceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    private static JsonElement Wrap(string data, string? contentType) =>
        JsonDocument.Parse(CloudEvents.Wrap(new PublishedEvent("pubsub", "topic", Encoding.UTF8.GetBytes(data), contentType, TraceParent, null), "app1")).RootElement;

    [Fact]
    public void Json_data_is_inlined()
    {
        var envelope = Wrap("""{"a":[1,2]}""", "application/json");

        Assert.Equal(2, envelope.GetProperty("data").GetProperty("a")[1].GetInt32());
        Assert.Equal(TraceParent, envelope.GetProperty("traceparent").GetString());
        Assert.Equal(TraceParent, envelope.GetProperty("traceid").GetString());
    }

    [Fact]
    public void Text_data_is_a_json_string_and_missing_content_type_means_text_plain()
    {
        var envelope = Wrap("hello", null);

        Assert.Equal("hello", envelope.GetProperty("data").GetString());
        Assert.Equal("text/plain", envelope.GetProperty("datacontenttype").GetString());
    }

    [Fact]
    public void A_published_cloud_event_passes_through_with_missing_fields_filled()
    {
        var envelope = Wrap("""{"id":"mine","source":"elsewhere","specversion":"1.0","type":"custom.type","data":{"x":1}}""", "application/cloudevents+json");

        Assert.Equal("mine", envelope.GetProperty("id").GetString());
        Assert.Equal("elsewhere", envelope.GetProperty("source").GetString());
        Assert.Equal("custom.type", envelope.GetProperty("type").GetString());
        Assert.Equal(1, envelope.GetProperty("data").GetProperty("x").GetInt32());
        Assert.Equal("topic", envelope.GetProperty("topic").GetString());
        Assert.Equal("pubsub", envelope.GetProperty("pubsubname").GetString());
        Assert.Equal(TraceParent, envelope.GetProperty("traceparent").GetString());
        Assert.True(envelope.TryGetProperty("time", out _));
    }

    [Fact]
    public void Trace_context_is_read_back_from_an_envelope()
    {
        var bytes = CloudEvents.Wrap(new PublishedEvent("p", "t", "{}"u8.ToArray(), "application/json", TraceParent, "k=v"), "app1");

        Assert.Equal((TraceParent, "k=v"), CloudEvents.TraceContextOf(bytes));
    }
}
