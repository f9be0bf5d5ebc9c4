// Each benchmark writes its figures, with machine, date and command, into BENCHMARKS.md.
using Natter.Benchmarks;

return args.FirstOrDefault() switch
{
    "messaging" => await MessagingBenchmark.RunAsync(args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.WriteLine("usage: dotnet run -c Release --project bench -- <sidecar|messaging|media>");
    return 2;
}
