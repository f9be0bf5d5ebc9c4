using System.Text.Json;
using Natter.ConnectionGateway.Connections;
using Natter.ConnectionGateway.Tests.Infrastructure;
using Natter.Contracts;
using Natter.Testing.Fuzz;
using Xunit.Abstractions;

namespace Natter.ConnectionGateway.Tests.Fuzz;

/// <summary>
/// The real dispatcher over the real Dapr SDK, sidecar and transports (see <see cref="GatewayBackends"/>). The backends
/// answer every call, so each frame must get a result or a specific refusal: never an exception, never "unavailable".
/// </summary>
[Collection(GatewayBackendsCollection.Name)]
public sealed class DispatcherFuzzTests(GatewayBackends backends, ITestOutputHelper output)
{
    public const int Frames = 100_000;

    private static readonly HashSet<string> Refusals =
    [
        ErrorCodes.UnknownCommand, ErrorCodes.InvalidField, ErrorCodes.UnknownClient,
    ];

    [Fact]
    public void Generated_and_mutated_frames_get_a_result_or_a_specific_refusal()
    {
        var (calls, media) = (backends.ActorCalls, backends.MediaCalls);
        FuzzRun.Check(output, "CommandDispatcher", Frames, FrameGenerators.AnyFrame, bytes =>
        {
            var (frame, _) = FrameReader.Parse(bytes);
            if (frame is null || frame.Type == FrameTypes.Received)
            {
                return true; // answered by the reader, or an ack: neither reaches the dispatcher
            }
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var answer = backends.Dispatcher.DispatchAsync(GatewayBackends.Who, frame, cts.Token).GetAwaiter().GetResult();
            var code = answer switch
            {
                ErrorFrame e => e.Code,
                SendMessageResult { Status: SendStatus.Failure } r => r.Code,
                _ => null,
            };
            if (code is not null && !Refusals.Contains(code))
            {
                throw new InvalidOperationException(
                    $"{FrameGenerators.Show(bytes)} was answered {JsonSerializer.Serialize(answer, answer.GetType(), NatterJson.Options)}");
            }
            return true;
        });
        output.WriteLine($"backend calls made: {backends.ActorCalls - calls} to ChatActor, {backends.MediaCalls - media} to MediaService");
        Assert.True(backends.ActorCalls - calls > 500, "the fuzz should reach the chat actor, not only validation");
    }
}
