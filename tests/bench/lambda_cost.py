"""What the renditions job would cost on AWS Lambda, from the measured CPU and wall time.

Model (x86, us-east-1 list prices): $0.0000166667 per GB-second, $0.20 per million requests.
Lambda gives a function CPU in proportion to its memory: 1,769 MB = one full vCPU, 3,538 MB
= two. Below one vCPU the job is CPU-bound, so its duration is its CPU time divided by the
vCPU share; with two vCPUs it approaches the wall time measured here on two cores. S3
transfer time (fetching the original, writing three renditions) is not included: it is
billed at the same rate but does not shrink with more memory.
"""

GB_SECOND = 0.0000166667
PER_REQUEST = 0.20 / 1_000_000
FULL_VCPU_MB = 1769
MEMORY_SIZES = (128, 512, 1024, 1769, 3538)
RECOMMENDED_MB = 1769


def duration(cpu_s: float, wall_s: float, memory_mb: int) -> float:
    vcpus = memory_mb / FULL_VCPU_MB
    return max(wall_s, cpu_s / min(vcpus, 1.0)) if vcpus < 2 else wall_s


def cost_per_1000(cpu_s: float, wall_s: float, memory_mb: int) -> float:
    seconds = duration(cpu_s, wall_s, memory_mb)
    return 1000 * (seconds * memory_mb / 1024 * GB_SECOND + PER_REQUEST)


def run(cpu_s: float, wall_s: float, peak_rss_mb: float, label: str) -> str:
    lines = [
        "## Lambda cost per 1,000 photos",
        "",
        f"Input: {label}, measured CPU {cpu_s * 1000:.0f} ms, wall {wall_s * 1000:.0f} ms on "
        f"2 cores, peak RSS {peak_rss_mb:.0f} MB. x86 price ${GB_SECOND} per GB-s + $0.20 "
        "per 1M requests; CPU share = memory / 1,769 MB (1 vCPU), 2 vCPUs at 3,538 MB; S3 "
        "transfer time not included.",
        "",
        "| memory | fits? | est. duration | cost / 1,000 photos |",
        "| ---: | --- | ---: | ---: |",
    ]
    for memory in MEMORY_SIZES:
        fits = "yes" if peak_rss_mb < memory * 0.9 else "no"
        mark = " (recommended)" if memory == RECOMMENDED_MB else ""
        lines.append(
            f"| {memory} MB{mark} | {fits} | {duration(cpu_s, wall_s, memory):.2f} s "
            f"| ${cost_per_1000(cpu_s, wall_s, memory):.4f} |"
        )
    lines += [
        "",
        f"Recommended: {RECOMMENDED_MB} MB. Up to one vCPU the job is CPU-bound, so compute "
        "costs the same at any size (duration shrinks as memory grows); 1,769 MB buys "
        "renditions in about the CPU time instead of ten times that at 128 MB, for the same "
        "compute price. Two vCPUs (3,538 MB) only shorten the encodes and cost more.",
    ]
    return "\n".join(lines)
