"""Headless Debian chromium through chromium-driver, with fake camera and microphone.

Selenium Manager never runs: the driver and browser paths are given explicitly and
SE_OFFLINE is set. Every browser gets its own profile directory, and at quit any process
still running with that directory on its command line is killed, so no chromium
outlives the tests even if the driver dies.
"""
import os
import shutil
import signal
import tempfile
import time
from pathlib import Path

os.environ.setdefault("SE_OFFLINE", "true")

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM_BIN", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER_BIN", "/usr/bin/chromedriver")
WINDOW = (1280, 900)
COMMAND_TIMEOUT = 20  # seconds for page loads and scripts


class Browser:
    def __init__(self, name, out_dir):
        self.name = name
        self.out_dir = Path(out_dir)
        self.profile = tempfile.mkdtemp(prefix=f"signalhub-chromium-{name}-")
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                    "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                    "--autoplay-policy=no-user-gesture-required", "--no-first-run",
                    "--disable-background-timer-throttling", "--disable-renderer-backgrounding",
                    "--disable-backgrounding-occluded-windows",
                    f"--window-size={WINDOW[0]},{WINDOW[1]}", f"--user-data-dir={self.profile}"):
            options.add_argument(arg)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        self.out_dir.mkdir(parents=True, exist_ok=True)
        service = Service(executable_path=CHROMEDRIVER, log_output=str(self.out_dir / f"chromedriver-{name}.log"))
        self.driver = webdriver.Chrome(service=service, options=options)
        self.driver.set_page_load_timeout(COMMAND_TIMEOUT)
        self.driver.set_script_timeout(COMMAND_TIMEOUT)
        # A blank window that stays open: closing a browser's last window ends its session.
        self.home = self.driver.current_window_handle
        self.console = []

    def new_window(self):
        self.driver.switch_to.new_window("window")
        return self.driver.current_window_handle

    def collect_console(self):
        try:
            self.console.extend(self.driver.get_log("browser"))
        except Exception:  # noqa: BLE001 - the browser may be gone already
            pass

    def quit(self):
        self.collect_console()
        with open(self.out_dir / f"console-{self.name}.log", "w", encoding="utf-8") as out:
            for entry in self.console:
                out.write(f"{entry.get('level')} {entry.get('message')}\n")
        try:
            self.driver.quit()
        except Exception as err:  # noqa: BLE001 - the driver may be dead (e.g. `timeout` signalled it)
            print(f"chromium {self.name}: quit failed ({type(err).__name__}); killing its processes")
        finally:
            kill_profile_processes(self.profile)
            shutil.rmtree(self.profile, ignore_errors=True)


def _pids_using(profile):
    # The profile path is unique to one browser; the crash handler names it in another flag.
    needle = profile.encode()
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if needle in (entry / "cmdline").read_bytes():
                pids.append(int(entry.name))
        except OSError:
            continue
    return pids


def kill_profile_processes(profile, wait=3.0):
    """Kill the chromium processes of one profile (by pid), if quit() left any."""
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline and _pids_using(profile):
        time.sleep(0.1)
    for pid in _pids_using(profile):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
