using Dapr.Client;
using Grpc.Net.Client;

namespace Natter.State;

/// <summary>
/// How large one call to the sidecar may be. A message to a 100-member group is one transaction with a copy per
/// device (up to 300), so a 64 KiB message needs ~20 MiB; daprd's default (4 MiB, --max-body-size) would refuse it.
/// The AppHost gives every sidecar --max-body-size 64Mi to match; a deployment on daprd sets the same annotation
/// (dapr.io/max-body-size). Anything larger is refused before it is sent (see DeviceInbox.MaxAppendBytes).
/// </summary>
public static class DaprMessageLimits
{
    public const int Bytes = 64 * 1024 * 1024;

    public static DaprClientBuilder WithNatterLimits(this DaprClientBuilder builder) =>
        builder.UseGrpcChannelOptions(new GrpcChannelOptions
        {
            MaxReceiveMessageSize = Bytes,
            MaxSendMessageSize = Bytes,
            ThrowOperationCanceledOnCancellation = true,
        });
}
