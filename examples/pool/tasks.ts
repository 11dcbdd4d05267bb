/** The batch job's task: counts the primes below `n` (CPU-bound), on an executor thread. */
export default function countPrimes(job: { name: string; n: number }): { name: string; primes: number } {
  let primes = 0;
  for (let i = 2; i < job.n; i++) {
    let prime = true;
    for (let d = 2; d * d <= i; d++)
      if (i % d === 0) {
        prime = false;
        break;
      }
    if (prime) primes++;
  }
  return { name: job.name, primes };
}
