// Each benchmark writes its figures, with machine, date and command, into BENCHMARKS.md.
using Natter.Benchmarks;
using Natter.Benchmarks.Messaging;

return args.FirstOrDefault() switch
{
    "sidecar" => await SidecarBenchmark.RunAsync(args[1..]),
    "actors" => await ActorBenchmark.RunAsync(args[1..]),
    "media" => await MediaBenchmark.RunAsync(args[1..]),
    "messaging" => await MessagingBenchmark.RunAsync(args[1..]),
    "chaos" => await ChaosCommand.RunAsync(args[1..]),
    // The messaging benchmark's bare relay, run as its own process so its CPU is measured apart.
    "idle" => await IdleCommand.RunAsync(args[1..]),
    "sockets" => await SocketsCommand.RunAsync(args[1..]),
    "load" => await LoadCommand.RunAsync(args[1..]),
    "relay-server" => await RelayServer.RunAsync(args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.WriteLine("usage: dotnet run -c Release --project bench -- <sidecar|messaging|media|actors|chaos>");
    return 2;
}
