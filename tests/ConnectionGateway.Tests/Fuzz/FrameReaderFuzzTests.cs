using Natter.ConnectionGateway.Connections;
using Natter.Contracts;
using Natter.Testing.Fuzz;
using Xunit.Abstractions;

namespace Natter.ConnectionGateway.Tests.Fuzz;

public sealed class FrameReaderFuzzTests(ITestOutputHelper output)
{
    public const int Frames = 100_000;

    [Fact]
    public void Generated_and_mutated_frames_parse_to_a_frame_or_an_error_and_bind_without_throwing() =>
        FuzzRun.Check(output, "FrameReader", Frames, FrameGenerators.AnyFrame, bytes =>
        {
            var (frame, error) = FrameReader.Parse(bytes);
            if ((frame is null) == (error is null))
            {
                throw new InvalidOperationException($"exactly one of frame and error expected for {FrameGenerators.Show(bytes)}");
            }
            if (frame is not null)
            {
                // Every command record, not only the frame's own: a type mix-up must not throw either.
                BindsOrRefuses(FrameReader.Bind<CreateChatCommand>(frame));
                BindsOrRefuses(FrameReader.Bind<SendMessageCommand>(frame));
                BindsOrRefuses(FrameReader.Bind<ModifyChatParticipantsCommand>(frame));
                BindsOrRefuses(FrameReader.Bind<GetChatCommand>(frame));
                BindsOrRefuses(FrameReader.Bind<DeactivateClientCommand>(frame));
                BindsOrRefuses(FrameReader.Bind<CreateAttachmentCommand>(frame));
                BindsOrRefuses(FrameReader.Bind<ReceivedCommand>(frame));
            }
            else if (error!.Code is not (ErrorCodes.BadJson or ErrorCodes.InvalidField))
            {
                throw new InvalidOperationException($"unexpected code {error.Code}");
            }
            return true;
        });

    private static void BindsOrRefuses<T>((T? Command, ErrorFrame? Error) bound) where T : class
    {
        if ((bound.Command is null) == (bound.Error is null) || bound.Error is { Code: not ErrorCodes.InvalidField })
        {
            throw new InvalidOperationException($"binding {typeof(T).Name} gave {bound}");
        }
    }
}
