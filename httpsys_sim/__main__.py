from httpsys_sim._console import run

run()
