from django import template

from assistant_chat.markup import render_markup

register = template.Library()

register.filter("chat_markup", render_markup)
