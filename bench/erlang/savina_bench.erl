%% Savina workloads for the Erlang/OTP peer of the Troupe benchmark suite.
%%
%% Protocol: the node reads one command per line from stdin,
%% "<workload> <int> ...", runs it once, and prints "ok <microseconds> <check>"
%% (or "error <reason>"). Timing is taken inside the node with the monotonic
%% clock around the work alone, so the VM's start-up is never counted. The
%% check value is compared by the TypeScript harness with the expected answer.
%% The random neighbour choice (big) uses MINSTD, the same generator as the
%% TypeScript implementations, so every system does the same work.
-module(savina_bench).
-export([main/0, pingpong/1, counting/1, threadring/2, big/2, fjcreate/1, fjthroughput/2, spawnstop/1, idle/1]).

main() ->
    io:format("ready ~s ~s ~b~n",
              [erlang:system_info(otp_release), erlang:system_info(version),
               erlang:system_info(schedulers_online)]),
    loop().

loop() ->
    case io:get_line("") of
        eof -> halt(0);
        {error, _} -> halt(0);
        Line ->
            [F | Args] = string:tokens(string:trim(Line), " "),
            Ints = [list_to_integer(A) || A <- Args],
            try
                T0 = erlang:monotonic_time(microsecond),
                Check = apply(?MODULE, list_to_atom(F), Ints),
                T1 = erlang:monotonic_time(microsecond),
                io:format("ok ~b ~b~n", [T1 - T0, Check])
            catch
                C:R -> io:format("error ~p:~p~n", [C, R])
            end,
            loop()
    end.

%% PingPong: N round trips; returns the pongs ping received.
pingpong(N) ->
    Self = self(),
    Pong = spawn(fun pong_loop/0),
    spawn(fun() -> Pong ! {ping, self()}, ping_loop(Pong, N - 1, 0, Self) end),
    receive {pingpong_done, Pongs} -> Pongs end.

pong_loop() ->
    receive
        {ping, From} -> From ! pong, pong_loop();
        stop -> ok
    end.

ping_loop(Pong, Left, Pongs, Parent) ->
    receive
        pong when Left > 0 -> Pong ! {ping, self()}, ping_loop(Pong, Left - 1, Pongs + 1, Parent);
        pong -> Pong ! stop, Parent ! {pingpong_done, Pongs + 1}
    end.

%% Counting: a producer sends N increments, then asks for the count.
counting(N) ->
    Self = self(),
    Counter = spawn(fun() -> counter_loop(0) end),
    spawn(fun() -> produce(Counter, N), Counter ! {get, Self} end),
    receive {count, C} -> C end.

counter_loop(C) ->
    receive
        inc -> counter_loop(C + 1);
        {get, From} -> From ! {count, C}
    end.

produce(_, 0) -> ok;
produce(C, N) -> C ! inc, produce(C, N - 1).

%% ThreadRing: A processes in a ring pass a token R times; returns the index
%% of the process that receives token 0 (R rem A).
threadring(A, R) ->
    Self = self(),
    Pids = [spawn(fun() -> receive {next, Next} -> ring_loop(I, Next, Self) end end)
            || I <- lists:seq(0, A - 1)],
    [P ! {next, Nx} || {P, Nx} <- lists:zip(Pids, tl(Pids) ++ [hd(Pids)])],
    hd(Pids) ! {token, R},
    receive {ring_done, I} -> [P ! stop || P <- Pids], I end.

ring_loop(I, Next, Parent) ->
    receive
        {token, 0} -> Parent ! {ring_done, I}, ring_loop(I, Next, Parent);
        {token, K} -> Next ! {token, K - 1}, ring_loop(I, Next, Parent);
        stop -> ok
    end.

%% Big: W processes each send N pings, one at a time, to pseudo-random
%% neighbours and count the pongs; returns the pongs received in total.
big(W, N) ->
    Self = self(),
    Pids = [spawn(fun() -> receive {peers, Ps} -> big_loop(Ps, W, N, 1, I + 1, 0, Self) end end)
            || I <- lists:seq(0, W - 1)],
    Peers = list_to_tuple(Pids),
    [P ! {peers, Peers} || P <- Pids],
    Total = big_wait(W, 0),
    [P ! stop || P <- Pids],
    Total.

big_wait(0, Sum) -> Sum;
big_wait(K, Sum) -> receive {big_done, Pongs} -> big_wait(K - 1, Sum + Pongs) end.

%% Sent = pings sent so far; the first ping goes out on start.
big_loop(Peers, W, N, Sent, Seed, Pongs, Parent) when Sent =:= 1, Pongs =:= 0, Seed > 0 ->
    Seed1 = minstd(Seed),
    element(Seed1 rem W + 1, Peers) ! {ping, self()},
    big_run(Peers, W, N, Sent, Seed1, Pongs, Parent).

big_run(Peers, W, N, Sent, Seed, Pongs, Parent) ->
    receive
        {ping, From} -> From ! pong, big_run(Peers, W, N, Sent, Seed, Pongs, Parent);
        pong when Sent =:= N -> Parent ! {big_done, Pongs + 1}, big_run(Peers, W, N, Sent + 1, Seed, Pongs + 1, Parent);
        pong ->
            Seed1 = minstd(Seed),
            element(Seed1 rem W + 1, Peers) ! {ping, self()},
            big_run(Peers, W, N, Sent + 1, Seed1, Pongs + 1, Parent);
        stop -> ok
    end.

minstd(X) -> (X * 16807) rem 2147483647.

%% Fork-Join create: N processes, each created, sent one message, does one
%% unit of arithmetic, reports and exits; returns the reports counted.
fjcreate(N) ->
    Self = self(),
    fj_spawn(N, Self),
    fj_wait(N, 0).

fj_spawn(0, _) -> ok;
fj_spawn(K, Parent) ->
    P = spawn(fun() -> receive work -> Parent ! {fj_done, compute(37.2)} end end),
    P ! work,
    fj_spawn(K - 1, Parent).

fj_wait(0, Count) -> Count;
fj_wait(K, Count) -> receive {fj_done, R} when R > 0 -> fj_wait(K - 1, Count + 1) end.

%% Fork-Join throughput: A processes each get N messages from one feeder
%% (round robin), one unit of arithmetic each; returns the messages counted.
fjthroughput(A, N) ->
    Self = self(),
    Pids = [spawn(fun() -> fjt_loop(N, 0, 0.0, Self) end) || _ <- lists:seq(1, A)],
    spawn(fun() -> fjt_feed(N, Pids) end),
    fjt_wait(A, 0).

fjt_feed(0, _) -> ok;
fjt_feed(K, Pids) -> [P ! work || P <- Pids], fjt_feed(K - 1, Pids).

fjt_loop(N, N, Acc, Parent) when Acc > 0 -> Parent ! {fjt_done, N};
fjt_loop(N, C, Acc, Parent) -> receive work -> fjt_loop(N, C + 1, Acc + compute(37.2), Parent) end.

fjt_wait(0, Sum) -> Sum;
fjt_wait(K, Sum) -> receive {fjt_done, C} -> fjt_wait(K - 1, Sum + C) end.

%% Savina's performComputation: sin(theta)^2, checked so it is not optimised away.
compute(Theta) -> S = math:sin(Theta), S * S.

%% Spawn + stop: N processes created and told to stop; returns the exits seen.
spawnstop(N) ->
    Self = self(),
    ss_spawn(N, Self),
    ss_wait(N, 0).

ss_spawn(0, _) -> ok;
ss_spawn(K, Parent) ->
    P = spawn(fun() -> receive stop -> Parent ! ss_gone end end),
    P ! stop,
    ss_spawn(K - 1, Parent).

ss_wait(0, C) -> C;
ss_wait(K, C) -> receive ss_gone -> ss_wait(K - 1, C + 1) end.

%% Memory of N idle processes (bytes, all of them), for the per-actor figure.
idle(N) ->
    erlang:garbage_collect(),
    M0 = erlang:memory(processes),
    Pids = [spawn(fun() -> receive stop -> ok end end) || _ <- lists:seq(1, N)],
    M1 = erlang:memory(processes),
    [P ! stop || P <- Pids],
    M1 - M0.
