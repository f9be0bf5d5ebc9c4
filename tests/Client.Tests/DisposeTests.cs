namespace Natter.Client.Tests;

public sealed class DisposeTests
{
    /// <summary>
    /// Regression: disposing while a frame was being handled let ObjectDisposedException escape DisposeAsync, because
    /// aborting a ClientWebSocket also disposes it under the receive loop.
    /// </summary>
    [Fact]
    public async Task Disposing_while_frames_stream_in_never_throws()
    {
        await using var server = await FloodingServer.StartAsync();
        for (var round = 0; round < 200; round++)
        {
            var client = await NatterClient.ConnectAsync(new NatterClientOptions
            {
                Endpoints = [server.Endpoint],
                TokenProvider = _ => Task.FromResult("unused"),
                MaxBackoff = TimeSpan.FromMilliseconds(1),
                AutoAcknowledge = round % 2 == 0,
            });
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            for (var item = 0; item < round % 5; item++)
            {
                await client.Items.ReadAsync(timeout.Token);
            }
            await client.DisposeAsync();
            Assert.True(client.Completion.IsCompletedSuccessfully, $"round {round}: {client.Completion.Exception}");
        }
    }
}
