// Each benchmark writes its figures, with machine, date and command, into BENCHMARKS.md.
Console.WriteLine("usage: dotnet run -c Release --project bench -- <sidecar|messaging|media>");
return 2;
