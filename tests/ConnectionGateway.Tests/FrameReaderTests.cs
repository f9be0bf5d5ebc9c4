using System.Text;
using Natter.ConnectionGateway.Connections;
using Natter.Contracts;

namespace Natter.ConnectionGateway.Tests;

public sealed class FrameReaderTests
{
    private static (ParsedFrame?, ErrorFrame?) Parse(string json) => FrameReader.Parse(Encoding.UTF8.GetBytes(json));

    [Theory]
    [InlineData("{oops", ErrorCodes.BadJson)]
    [InlineData("42", ErrorCodes.BadJson)]
    [InlineData("{\"requestId\":\"r1\"}", ErrorCodes.InvalidField)]
    [InlineData("{\"type\":7}", ErrorCodes.InvalidField)]
    [InlineData("{\"type\":\"sendMessage\",\"requestId\":5}", ErrorCodes.InvalidField)]
    public void Malformed_frames_get_a_specific_code(string json, string code)
    {
        var (frame, error) = Parse(json);

        Assert.Null(frame);
        Assert.Equal(code, error!.Code);
    }

    [Fact]
    public void An_ill_typed_field_is_named_in_the_error_and_keeps_the_request_id()
    {
        var (frame, _) = Parse("{\"type\":\"sendMessage\",\"requestId\":\"r9\",\"chatId\":42}");

        var (command, error) = FrameReader.Bind<SendMessageCommand>(frame!);

        Assert.Null(command);
        Assert.Equal(ErrorCodes.InvalidField, error!.Code);
        Assert.Equal("r9", error.RequestId);
        Assert.Contains("chatId", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_well_formed_command_binds_its_fields()
    {
        var (frame, _) = Parse("{\"type\":\"sendMessage\",\"requestId\":\"r1\",\"chatId\":\"c\",\"message\":\"hi\",\"attachments\":[\"a1\"],\"clientMessageId\":\"m1\"}");

        var (command, error) = FrameReader.Bind<SendMessageCommand>(frame!);

        Assert.Null(error);
        Assert.Equal(new SendMessageCommand("c", "hi", command!.Attachments, "m1"), command);
        Assert.Equal(["a1"], command.Attachments!);
    }

    [Theory]
    [InlineData("{\"type\":\"createAttachment\",\"size\":\"10\"}", "size")]
    [InlineData("{\"type\":\"sendMessage\",\"chatId\":7}", "chatId")]
    [InlineData("{\"type\":\"sendMessage\",\"attachments\":[1]}", "attachments")]
    public void Numbers_must_be_json_numbers_and_strings_json_strings(string json, string field)
    {
        var (frame, _) = Parse(json);

        var error = frame!.Type == FrameTypes.CreateAttachment
            ? FrameReader.Bind<CreateAttachmentCommand>(frame).Error
            : FrameReader.Bind<SendMessageCommand>(frame).Error;

        Assert.Equal(ErrorCodes.InvalidField, error!.Code);
        Assert.Contains(field, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"type\":\"getChat\",\"requestId\":\"\\ud800\"}")]
    [InlineData("{\"type\":\"\\udc00\"}")]
    public void A_lone_surrogate_in_type_or_request_id_is_an_invalid_field_not_an_exception(string json)
    {
        var (frame, error) = Parse(json);

        Assert.Null(frame);
        Assert.Equal(ErrorCodes.InvalidField, error!.Code);
    }

    [Theory]
    [InlineData("phone:12", "phone", 12)]
    [InlineData("a:b:3", "a:b", 3)]
    public void Delivery_ids_round_trip(string deliveryId, string clientId, long n)
    {
        Assert.True(DeliveryIds.TryParse(deliveryId, out var c, out var parsed));
        Assert.Equal((clientId, n), (c, parsed));
        Assert.Equal(deliveryId, DeliveryIds.Format(clientId, n));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("phone")]
    [InlineData(":3")]
    [InlineData("phone:-1")]
    [InlineData("phone:x")]
    public void Malformed_delivery_ids_are_rejected(string? deliveryId) => Assert.False(DeliveryIds.TryParse(deliveryId, out _, out _));
}
