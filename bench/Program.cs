// Each benchmark writes its figures, with machine, date and command, into BENCHMARKS.md.
return args.FirstOrDefault() switch
{
    "actors" => await Natter.Benchmarks.ActorBenchmark.RunAsync(args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.WriteLine("usage: dotnet run -c Release --project bench -- <sidecar|messaging|media|actors>");
    return 2;
}
