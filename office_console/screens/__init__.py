"""The console's screens besides the main one: log in, a form, a row's details, a choice."""

from office_console.screens.choice import ChoiceScreen
from office_console.screens.detail import DetailScreen
from office_console.screens.form import FormScreen
from office_console.screens.login import LoginScreen

__all__ = ["ChoiceScreen", "DetailScreen", "FormScreen", "LoginScreen"]
